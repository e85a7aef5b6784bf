// Package idcard speaks to a second-generation resident ID card reader:
// the SAM frame protocol of GA 467 (GA/T 467-2019) as implemented by the
// MPS SAM module inside every mainstream reader, the card's 256-byte text
// block in its four layouts, the validation of what it says, and a polling
// driver that reports cards placed and removed.
//
// Everything follows docs/idcard-protocol.md, which gives the public
// sources (GA 467-2013, the reader vendors' SAM protocol manuals):
//
//   - frames ("Frames"): preamble AA AA AA 96 69, a big-endian length
//     counting everything after itself including the checksum, and an XOR
//     checksum over the length and body: Encode, Decoder;
//   - commands and replies ("Commands", "Replies"): the Command values,
//     Response and the Reader methods;
//   - status codes ("Status codes"): every SW3 value as a *StatusError,
//     with sentinels (ErrNoCard, ErrSelectFailed, ...) for the ones callers
//     act on;
//   - the text block ("The text block"): resident card, 'J' Hong
//     Kong/Macao/Taiwan residence permit, 'I' 2017 and 'Y' 2023 foreign
//     permanent resident cards, in UCS-2LE: DecodeText, EncodeText, Card;
//   - code tables ("Code tables") and the GB 11643 number ("ID numbers",
//     through package pii): Card.Validate;
//   - timing ("Timing", "Field traps"): per-command timeouts, retries, and
//     the Watcher's find → select → read loop with its debounce.
//
// The photo is a proprietary WLT image and stays opaque bytes ("Photo").
// A Card prints masked and logs redacted: names, numbers and addresses
// are personal data.
package idcard
