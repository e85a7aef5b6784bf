package server

// Unexported parsers, exposed to the fuzz targets of package server_test.
var (
	ParseSessionHeaders = parseSessionHeaders
	PlainStatusRequest  = plainStatusRequest
)

// CodeHash hashes a provisioning code as the store keeps it, for a test
// that makes a code the way an older release did.
var CodeHash = codeHash

// The route tables of access records, for the test that walks every
// route.
var (
	ResidentRoutes = residentRoutes
	OtherRoutes    = otherRoutes
)

// RouteAction is the action a resident route's access records name.
func RouteAction(pattern string) string { return residentRoutes[pattern].action }
