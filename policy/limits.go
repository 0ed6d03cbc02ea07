package policy

// Every limit a policy file is held to lives here, with the reason for its size.
const (
	// MaxBytes caps a policy file. The example policy is under 2 KB; 256 KB
	// is room for long notes while refusing a wrong file (a PDF, a
	// database) before it is parsed.
	MaxBytes = 256 << 10

	// MaxRequirements caps the checks plus training subjects of a policy:
	// there are 6 check types and 11 subjects, so 64 allows alternatives
	// and repeats while bounding evaluation work.
	MaxRequirements = 64

	// MaxWithinYears bounds a "within" period: nothing on a passport is
	// meaningful after 50 years, and it keeps date arithmetic far from
	// overflow.
	MaxWithinYears = 50

	// MaxGroups caps the staff groups a policy has rules for: the NHS has
	// about a dozen staff groups, so 32 leaves room for local ones while
	// bounding the file's work.
	MaxGroups = 32

	// MaxGroupNameLen caps a staff group's name in bytes, as the name of a
	// policy is capped.
	MaxGroupNameLen = 120
)

// DefaultExpiringSoonDays is the warning window of a policy that does not
// set expiring_soon_days: a month is time to book a refresher course.
const DefaultExpiringSoonDays = 30
