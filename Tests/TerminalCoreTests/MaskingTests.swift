import Testing
import TerminalCore

@Suite("Masking of personal data")
struct MaskingTests {
    @Test("ID numbers keep region and last four")
    func idNumber() {
        #expect(Masking.idNumber("36040219850312106X") == "360402********106X")
        #expect(Masking.idNumber("12345") == "*****")
    }

    @Test("names keep the first and last character", arguments: [
        ("欧阳淼", "欧*淼"), ("张伟", "张*"), ("司马相如", "司**如"), ("王", "*"), ("", ""),
    ])
    func name(input: String, expected: String) {
        #expect(Masking.name(input) == expected)
    }

    @Test("identifiers keep two characters at each end")
    func identifier() {
        #expect(Masking.identifier("J36048231") == "J3*****31")
        #expect(Masking.identifier("abc") == "***")
    }

    @Test("dates keep the year")
    func date() {
        #expect(Masking.date(CalendarDate(year: 1985, month: 3, day: 12)!) == "1985-**-**")
    }
}

@Suite("Calendar dates")
struct CalendarDateTests {
    @Test("parses both card and message forms")
    func parse() {
        #expect(CalendarDate("2031-04-16") == CalendarDate(year: 2031, month: 4, day: 16))
        #expect(CalendarDate("20310416") == CalendarDate(year: 2031, month: 4, day: 16))
        #expect(CalendarDate("2031-4-16") == nil)
        #expect(CalendarDate("2031/04/16") == nil)
    }

    @Test("refuses days that do not exist; knows leap years")
    func validity() {
        #expect(CalendarDate(year: 2024, month: 2, day: 29) != nil)
        #expect(CalendarDate(year: 2023, month: 2, day: 29) == nil)
        #expect(CalendarDate(year: 1900, month: 2, day: 29) == nil)
        #expect(CalendarDate(year: 2000, month: 2, day: 29) != nil)
        #expect(CalendarDate(year: 2024, month: 4, day: 31) == nil)
        #expect(CalendarDate(year: 2024, month: 13, day: 1) == nil)
    }

    @Test("orders by day")
    func order() {
        #expect(CalendarDate("2020-05-20")! < CalendarDate("2020-05-21")!)
        #expect(CalendarDate("2019-12-31")! < CalendarDate("2020-01-01")!)
    }
}
