import Testing
import TerminalCore

@Suite("National ID number (GB 11643, ISO 7064 MOD 11-2)")
struct NationalIDNumberTests {
    @Test("the standard's own example validates, X check character included")
    func standardExample() throws {
        // GB 11643-1999's worked example.
        let id = try #require(NationalIDNumber("11010519491231002X"))
        #expect(id.regionCode == "110105")
        #expect(id.birthDate == CalendarDate(year: 1949, month: 12, day: 31))
        #expect(id.genderCode == "2")
    }

    @Test("lower-case x is accepted and normalised")
    func lowerCaseX() {
        #expect(NationalIDNumber("11010519491231002x")?.value == "11010519491231002X")
    }

    @Test("check character computed for the first 17 digits",
          arguments: [("11010519491231002", "X"), ("36010219620708101", "0"), ("36040219900101101", "7")])
    func checkCharacter(first17: String, expected: String) {
        #expect(NationalIDNumber.checkCharacter(for: first17) == Character(expected))
    }

    @Test("a changed digit breaks the check")
    func wrongCheckDigit() {
        #expect(NationalIDNumber.validate("110105194912310021") ==
                .failure(.checkDigitMismatch(expected: "X", found: "1")))
        #expect(NationalIDNumber.validate("110105194912310029") != .success(NationalIDNumber("11010519491231002X")!))
    }

    @Test("wrong length, letters, impossible birth dates are refused")
    func malformed() {
        #expect(NationalIDNumber.validate("1101051949123100") == .failure(.wrongLength(16)))
        #expect(NationalIDNumber.validate("1101051949123100AX") == .failure(.notDigits))
        #expect(NationalIDNumber.validate("110105194902300028") == .failure(.badBirthDate))
    }

    @Test("description is masked so it cannot leak into a log")
    func maskedDescription() throws {
        let id = try #require(NationalIDNumber("11010519491231002X"))
        #expect("\(id)" == "110105********002X")
    }
}
