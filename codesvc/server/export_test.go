package server

// Unexported parsers, exposed to the fuzz targets of package server_test.
var (
	ParseSessionHeaders = parseSessionHeaders
	PlainStatusRequest  = plainStatusRequest
)
