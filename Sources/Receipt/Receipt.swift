// The settlement sheet (结算单), docs/receipts.md:
// - Sheet/: `SettlementSheet.build(journal:setlId:…)` makes it from the journal alone;
// - Render/: `SheetText`, `SheetHTML` (A4) and `SheetESCPOS` (58/80 mm receipt printers);
// - Printer/: `ReceiptPrinter` prints to usblp, a tty or raw TCP, with the printer's status.
