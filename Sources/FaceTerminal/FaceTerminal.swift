// The face-scan terminal driver (line-delimited JSON over a tty or TCP) lands here with
// issue "Credentials from USB QR scanners and the face-scan terminal".
import TerminalCore

public enum FaceTerminal {}
