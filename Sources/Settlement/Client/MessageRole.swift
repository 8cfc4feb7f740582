/// What a transaction does at the core, which decides what to do when its answer is lost.
enum MessageRole {
    /// Changes nothing at the core (1101, 2206, 9001, 9002, 3201): a lost answer is simply
    /// a failure; never re-sent later.
    case query
    /// Records something that is safe to send again under the same msgid (the core answers
    /// a repeated msgid with its first answer): registration, uploads, cancellations.
    case resendable
    /// Moves money for a patient who is present (2207): if its answer is lost, it is not
    /// re-sent later (the patient may have gone) but reversed with 2601 冲正.
    case money
    /// Undoes money (2208, 2601): re-sent under the same msgid until the core acknowledges.
    case remedy

    init(infno: String) {
        switch infno {
        case "2207": self = .money
        case "2208", "2601": self = .remedy
        case "2201", "2202", "2203", "2204", "2205": self = .resendable
        default: self = .query
        }
    }
}
