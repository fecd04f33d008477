package models

import (
	"errors"
	"fmt"
	"time"
)

// Plans: the values of users.subscription_type.
const (
	PlanFree              = "FREE"
	PlanIndividualBasic   = "INDIVIDUAL_BASIC"   // "Termly" on the pricing page
	PlanIndividualPremium = "INDIVIDUAL_PREMIUM" // "Yearly"
	PlanSchoolSponsored   = "SCHOOL_SPONSORED"
)

// TrialLength is how long a new FREE account has the trial's features.
const TrialLength = 30 * 24 * time.Hour

// IndividualMaxSubjects is the number of subjects a teacher on any individual
// plan (FREE, trial or not, and the two paid ones) may have.
const IndividualMaxSubjects = 6

// PlanLimits is what one user may do now. It is the one place every limit
// is read from: handlers ask LimitsFor and never test plan names themselves.
type PlanLimits struct {
	Plan    string // the plan whose limits apply (an inactive paid plan reads as FREE)
	InTrial bool   // FREE and within TrialLength of the trial's start
	// MaxSubjects bounds the subjects a teacher has (0 = unlimited).
	MaxSubjects int
	// MaxSchemeWeeks bounds the weeks one generated scheme of work covers;
	// generated lesson plans and records of work follow the same weeks
	// (0 = unlimited, i.e. a full term).
	MaxSchemeWeeks int
	PDFDownloads   bool // single scheme / lesson-plan / record PDFs
	BulkDownloads  bool // several documents in one download
	AIAssistant    bool // AI lesson-plan enhancement and parsing
	// Generate is false once a free trial is over: the teacher keeps reading
	// and ticking their own data and can always pay, but generates no new
	// schemes, lesson plans or records until they do.
	Generate bool
	// TrialEndsAt is when the trial ends (FREE only; zero otherwise), and
	// TrialDaysRemaining the whole days left, 0 once it has ended.
	TrialEndsAt        time.Time
	TrialDaysRemaining int
	// UpgradeTo is the plan that lifts these limits ("" when none is higher).
	UpgradeTo string
}

// PlanName is how people call each plan (the pricing page's names).
func PlanName(plan string) string {
	switch plan {
	case PlanIndividualBasic:
		return "Termly"
	case PlanIndividualPremium:
		return "Yearly"
	case PlanSchoolSponsored:
		return "School Sponsored"
	}
	return "Free"
}

// plans is the table of limits by plan (README "Plans and limits" shows it).
// FREE's row is the trial's; an expired trial is FREE with Generate off.
var plans = map[string]PlanLimits{
	PlanFree:              {Plan: PlanFree, MaxSubjects: IndividualMaxSubjects, MaxSchemeWeeks: 1, AIAssistant: true, Generate: true, UpgradeTo: PlanIndividualBasic},
	PlanIndividualBasic:   {Plan: PlanIndividualBasic, MaxSubjects: IndividualMaxSubjects, PDFDownloads: true, BulkDownloads: true, AIAssistant: true, Generate: true, UpgradeTo: PlanSchoolSponsored},
	PlanIndividualPremium: {Plan: PlanIndividualPremium, MaxSubjects: IndividualMaxSubjects, PDFDownloads: true, BulkDownloads: true, AIAssistant: true, Generate: true, UpgradeTo: PlanSchoolSponsored},
	PlanSchoolSponsored:   {Plan: PlanSchoolSponsored, PDFDownloads: true, BulkDownloads: true, AIAssistant: true, Generate: true},
}

// LimitsFor returns what u may do at now. A paid plan whose status is not
// ACTIVE, or whose subscription_expires_at has passed, reads as FREE (its
// trial long over); SUPER_ADMINs have no limits.
// Nothing here locks anyone out of their own data (the original's 402 after
// 30 days did): an expired trial only loses generation and downloads.
func LimitsFor(u *User, now time.Time) PlanLimits {
	plan := u.SubscriptionType
	if _, ok := plans[plan]; !ok {
		plan = PlanFree
	}
	paid := plan == PlanIndividualBasic || plan == PlanIndividualPremium
	if paid && (u.SubscriptionStatus != "" && u.SubscriptionStatus != SubscriptionStatusActive ||
		u.SubscriptionExpiresAt != nil && !now.Before(*u.SubscriptionExpiresAt)) {
		plan = PlanFree
	}
	if u.Role == RoleSuperAdmin {
		plan = PlanSchoolSponsored
	}
	l := plans[plan]
	if plan == PlanFree {
		l.TrialEndsAt = u.TrialStart().Add(TrialLength)
		if left := l.TrialEndsAt.Sub(now); left > 0 {
			l.InTrial = true
			l.TrialDaysRemaining = int((left + 24*time.Hour - 1) / (24 * time.Hour))
		} else {
			l.Generate, l.AIAssistant = false, false
		}
	}
	return l
}

// TrialStart is when u's trial began: trial_started_at, or the account's
// creation when it was never set.
func (u *User) TrialStart() time.Time {
	if u.TrialStartedAt != nil {
		return *u.TrialStartedAt
	}
	return u.CreatedAt
}

// ErrPlanLimit is a request the user's plan doesn't allow; handlers answer
// 403 with the sentence that says what to upgrade to.
var ErrPlanLimit = errors.New("plan limit")

// PlanLimitError wraps ErrPlanLimit with the sentence the user sees.
func PlanLimitError(detail string) error { return Sentence(ErrPlanLimit, detail) }

// SubjectLimitError is the refusal of a subject beyond l.MaxSubjects for a
// teacher who has n.
func (l PlanLimits) SubjectLimitError(n int64) error {
	return PlanLimitError(fmt.Sprintf(
		"Your %s plan allows %d subjects and you have %d. Remove a subject, or join your school's School Sponsored plan for unlimited subjects.",
		PlanName(l.Plan), l.MaxSubjects, n))
}

// Upgrade is the sentence that tells the user which plan lifts a limit.
func (l PlanLimits) Upgrade() string {
	switch {
	case l.Plan == PlanFree && !l.InTrial:
		return "Your free trial has ended; upgrade to the Termly or Yearly plan to continue."
	case l.UpgradeTo == PlanIndividualBasic:
		return "Upgrade to the Termly or Yearly plan for this."
	case l.UpgradeTo != "":
		return "Ask your school about the " + PlanName(l.UpgradeTo) + " plan for this."
	}
	return ""
}

// SubjectCap is the most subjects a teacher may have: the plan's limit, and
// never more than the operator's ceiling (MAX_SUBJECTS_PER_USER).
func (l PlanLimits) SubjectCap(ceiling int) int {
	if l.MaxSubjects > 0 && (ceiling <= 0 || l.MaxSubjects < ceiling) {
		return l.MaxSubjects
	}
	return ceiling
}
