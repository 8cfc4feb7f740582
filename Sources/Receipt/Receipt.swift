// The settlement sheet (结算单): made from the journal, rendered as text, HTML (A4) or ESC/POS,
// and printed. See docs/receipts.md.
