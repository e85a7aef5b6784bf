// Package verify is the venue check of a paper health code: the flow of
// docs/token.md, "The venue check". The token's signature and lifetime
// are checked offline against the trust list first; then, when the checker
// is online, the service's live answer for the token ID decides (revoked and
// superseded codes are refused, as re-issue and 挂失 must make the old paper
// fail everywhere). Offline, the token's own status claim is shown only
// while fresh and labelled with its "as of" time; otherwise the answer is
// "cannot verify", never a stale green.
package verify
