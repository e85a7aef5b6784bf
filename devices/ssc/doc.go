// Package ssc reads the public data of a Shanghai social-security card
// (社会保障卡) in a contact reader, through the operating system's PC/SC
// service (pcscd on Linux, WinSCard on Windows), and reports cards put in
// and taken out the way devices/idcard reports ID cards.
//
// Everything follows docs/ssc-card.md, which gives the public sources
// (the national 社会保障（个人）卡规范, ISO/IEC 7816-4, the PC/SC
// specification):
//
//   - commands and answers ("Commands", "Status words"): Command,
//     Response, SW, Exchange with the T=0 rounds (6Cxx, 61xx), and
//     *StatusError matching ErrNotSSC, ErrLocked, ErrRecordMissing or
//     ErrStatus;
//   - records ("Files and records"): ParseRecord and the decoders of
//     dates, BCD and the GBK name, with *RecordError matching
//     ErrTruncated, ErrBadRecord or ErrNameEncoding;
//   - the read ("Reading a card"): ReadCard over any Transmitter, and
//     Card.Validate (GB 11643 through package pii); the expiry, whose
//     place on the card is unconfirmed, is "unknown" when it does not
//     parse, never "valid" ("What is not confirmed");
//   - PC/SC ("PC/SC"): PCSC, Conn and the errors ErrNoService ("PC/SC
//     service not running"), ErrNoReader, ErrReaderGone, ErrNoCard,
//     ErrCardRemoved;
//   - Watcher: reader connected and disconnected, card placed (read, or
//     with a typed error) and removed, as idcard.Watcher's events.
//
// A Card prints masked and logs redacted: its numbers and name are pii
// types. The virtual card is devices/ssc/sscsim; the private pcscd the
// tests read it through is devices/ssc/pcsclab.
package ssc
