import Receipt
import Testing
