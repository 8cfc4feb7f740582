// The NHSA envelope and transaction codecs, CityCoreClient, the journal and in-doubt
// recovery land here with issue "The local settlement client".
import TerminalCore

public enum Settlement {}
