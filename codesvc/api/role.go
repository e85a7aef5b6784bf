package api

// Role is what a device may do. It is fixed when the device's one-time
// provisioning code is made (codeservice admin device provision --role) and
// kept by the service with the device; a device never declares its own
// role in a request.
type Role string

// The roles, one per kind of place a device stands.
const (
	// RoleSelfService: an unattended self-service kiosk. It reads the
	// card placed on it and acts only for that resident, as herself.
	RoleSelfService Role = "self_service"
	// RoleCounter: a community worker's counter; worker actions there
	// carry a worker session.
	RoleCounter Role = "counter"
	// RoleVenue: a venue checker (数字哨兵); it asks for one resident's
	// colour at a time and changes nothing.
	RoleVenue Role = "venue"
	// RoleHospital: a hospital registration desk, which checks the
	// medical-visit credential.
	RoleHospital Role = "hospital"
	// RoleHealthCloud: the city's health cloud, which pulls the export
	// of the residents who agreed to share with it (GET /v1/export) and
	// reads nothing else.
	RoleHealthCloud Role = "health_cloud"
)

// Roles lists every role, in the order above.
var Roles = []Role{RoleSelfService, RoleCounter, RoleVenue, RoleHospital, RoleHealthCloud}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}
