package server

// Unexported parsers, exposed to the fuzz targets of package server_test.
var (
	ParseSessionHeaders = parseSessionHeaders
	PlainStatusRequest  = plainStatusRequest
)

// CodeHash hashes a provisioning code as the store keeps it, for a test
// that makes a code the way an older release did.
var CodeHash = codeHash
