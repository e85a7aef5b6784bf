// Package healthcloud is the code service's stand-in for the city's
// health cloud (健康云): what it shares about a resident who agreed, to
// be shown at a kiosk after her paper code (api.HealthServices). A record names her contracted family doctor and community
// health centre, her free annual check-up if she is 65 or over, the
// vaccinations she was given and what is due: never a diagnosis, a test
// result or anything about an illness.
//
// The service asks a Directory by the resident's pseudonym, the same one
// its export to the health cloud uses; Sample is an in-memory Directory
// with invented records for the development service and the demo.
package healthcloud
