package models

import (
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Paid plans (the plans table's constants: see plans.go once it lands).
const (
	subscriptionBasic   = "INDIVIDUAL_BASIC"
	subscriptionPremium = "INDIVIDUAL_PREMIUM"
)

// Period is what a payment buys: a term or a year.
type Period string

// Billing periods.
const (
	PeriodTermly Period = "TERMLY"
	PeriodYearly Period = "YEARLY"
)

// Valid reports whether p is a billing period.
func (p Period) Valid() bool { return p == PeriodTermly || p == PeriodYearly }

// Sources of a subscription change.
const (
	ChangePayment      = "PAYMENT"
	ChangeAdminUpgrade = "ADMIN_UPGRADE"
	ChangeAdminSet     = "ADMIN_SET"
	ChangeDowngrade    = "DOWNGRADE"
)

// termlyFallback is how long a Termly plan runs when no term is known for
// the day it starts (no calendar set up, or a holiday between terms): the
// pricing page promises "Valid for 4 Months".
const termlyFallback = 4

// SubscriptionEnd is when a plan bought for period, starting at from, ends.
// Yearly: a year later. Termly: at the end of the last day of the term
// running at from (termEnd, a date), in the school's time zone loc; with no
// term known (termEnd nil), four months later.
func SubscriptionEnd(period Period, from time.Time, termEnd *time.Time, loc *time.Location) time.Time {
	if period == PeriodYearly {
		return from.AddDate(1, 0, 0)
	}
	if termEnd == nil {
		return from.AddDate(0, termlyFallback, 0)
	}
	y, m, d := termEnd.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, loc)
}

// planRank orders plans by what they give, so a payment never takes away a
// better plan the user already has.
func planRank(t string) int {
	switch t {
	case subscriptionBasic:
		return 1
	case subscriptionPremium:
		return 2
	case SubscriptionSchoolSponsored:
		return 3
	}
	return 0
}

// paidPlan reports whether t is an individual plan that expires.
func paidPlan(t string) bool { return t == subscriptionBasic || t == subscriptionPremium }

// ApplyExpiry puts u on the free tier when its paid plan ended before now.
// The stored row keeps the old plan until its next change: every reader of a
// user (the session, /auth/me, the admin lists) applies this, so the end is
// exact to the second without a job sweeping the table.
func (u *User) ApplyExpiry(now time.Time) {
	if paidPlan(u.SubscriptionType) && u.SubscriptionExpiresAt != nil && !now.Before(*u.SubscriptionExpiresAt) {
		u.SubscriptionType, u.SubscriptionStatus = SubscriptionFree, SubscriptionStatusActive
	}
}

// SubscriptionChange is a row of subscription_changes: who changed whose plan, how.
type SubscriptionChange struct {
	ID            uint64 `gorm:"primaryKey"`
	UserID        uint64
	ActorID       *uint64 // nil: a payment (the user's own money)
	PaymentID     *uint64
	Source        string
	FromType      string
	ToType        string
	ToStatus      string
	FromExpiresAt *time.Time
	ToExpiresAt   *time.Time
	CreatedAt     time.Time
}

// TermEndFunc returns the last day of the term running on day for a user of
// schoolID (nil: no school), or nil when no term is known for that day.
type TermEndFunc func(db *gorm.DB, schoolID *uint64, day time.Time) (*time.Time, error)

// CalendarTermEnd is the school calendar's TermEndFunc: the last day of the
// term CurrentTerm finds for day (pass it in APP_TIMEZONE) — in a holiday,
// the term about to start — or nil when no term is known.
func CalendarTermEnd(db *gorm.DB, schoolID *uint64, day time.Time) (*time.Time, error) {
	t, err := CurrentTerm(db, schoolID, day)
	if errors.Is(err, ErrNoCurrentTerm) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &t.EndDate, nil
}

// Clock is what a grant needs to know about time: now, the school's time
// zone and the school calendar (CalendarTermEnd).
type Clock struct {
	Now     time.Time
	Loc     *time.Location
	TermEnd TermEndFunc
}

// lockUser reads user id FOR UPDATE, its expiry applied.
func lockUser(tx *gorm.DB, id uint64, now time.Time) (*User, error) {
	var u User
	if err := translate(tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&u, id).Error); err != nil {
		return nil, notFound(err, errUserNotFound)
	}
	u.ApplyExpiry(now)
	return &u, nil
}

// extend grants u plan for period from now, or from the end of the same
// plan when it is still running (a renewal adds a period). A payment for a
// lesser plan than the one running extends nothing and keeps the better plan.
func extend(tx *gorm.DB, u *User, plan string, period Period, c Clock) (newType string, until *time.Time, err error) {
	if planRank(u.SubscriptionType) > planRank(plan) {
		return u.SubscriptionType, u.SubscriptionExpiresAt, nil
	}
	from := c.Now
	if u.SubscriptionType == plan && u.SubscriptionExpiresAt != nil && u.SubscriptionExpiresAt.After(c.Now) {
		from = *u.SubscriptionExpiresAt
	}
	// The term that matters is the one running on the period's first day
	// (for a renewal, the day after the current period ends).
	termEnd, err := c.TermEnd(tx, u.SchoolID, from.In(c.Loc))
	if err != nil {
		return "", nil, err
	}
	end := SubscriptionEnd(period, from, termEnd, c.Loc)
	if !end.After(from) {
		// A term that ended before `from` (renewing on its last day): the
		// fallback period rather than nothing.
		end = SubscriptionEnd(period, from, nil, c.Loc)
	}
	end = end.UTC()
	return plan, &end, nil
}

// setSubscription writes u's new plan and records the change, in tx.
func setSubscription(tx *gorm.DB, u *User, ch SubscriptionChange, now time.Time) error {
	ch.UserID, ch.FromType, ch.FromExpiresAt, ch.CreatedAt = u.ID, u.SubscriptionType, u.SubscriptionExpiresAt, now
	if err := translate(tx.Model(&User{}).Where("id = ?", u.ID).Updates(map[string]any{
		"subscription_type": ch.ToType, "subscription_status": ch.ToStatus, "subscription_expires_at": ch.ToExpiresAt,
	}).Error); err != nil {
		return err
	}
	if err := translate(tx.Create(&ch).Error); err != nil {
		return err
	}
	u.SubscriptionType, u.SubscriptionStatus, u.SubscriptionExpiresAt = ch.ToType, ch.ToStatus, ch.ToExpiresAt
	return nil
}

var errSponsored = Sentence(ErrConflict, "This account's plan is paid for by its school; the school admin manages it.")

// AdminUpgrade gives user id the premium plan for a year (from the end of a
// running premium plan), recording actor as who did it.
func AdminUpgrade(db *gorm.DB, id, actor uint64, c Clock) (*User, error) {
	var out *User
	err := db.Transaction(func(tx *gorm.DB) error {
		u, err := lockUser(tx, id, c.Now)
		if err != nil {
			return err
		}
		if u.SubscriptionType == SubscriptionSchoolSponsored {
			return errSponsored
		}
		typ, until, err := extend(tx, u, subscriptionPremium, PeriodYearly, c)
		if err != nil {
			return err
		}
		out = u
		return setSubscription(tx, u, SubscriptionChange{ActorID: &actor, Source: ChangeAdminUpgrade, ToType: typ,
			ToStatus: SubscriptionStatusActive, ToExpiresAt: until}, c.Now)
	})
	return out, err
}

// AdminSetSubscription sets user id's plan and status as a super admin
// (actor) chose. A paid plan gets a period from now (Termly for the basic
// plan, a year for premium) unless it is already running and keeps its end;
// the free and school plans have no end.
func AdminSetSubscription(db *gorm.DB, id, actor uint64, typ, status string, c Clock) (*User, error) {
	var out *User
	err := db.Transaction(func(tx *gorm.DB) error {
		u, err := lockUser(tx, id, c.Now)
		if err != nil {
			return err
		}
		var until *time.Time
		switch {
		case !paidPlan(typ):
		case u.SubscriptionType == typ && u.SubscriptionExpiresAt != nil && u.SubscriptionExpiresAt.After(c.Now):
			until = u.SubscriptionExpiresAt
		default:
			period := PeriodTermly
			if typ == subscriptionPremium {
				period = PeriodYearly
			}
			free := *u
			free.SubscriptionType = SubscriptionFree
			if _, until, err = extend(tx, &free, typ, period, c); err != nil {
				return err
			}
		}
		out = u
		return setSubscription(tx, u, SubscriptionChange{ActorID: &actor, Source: ChangeAdminSet, ToType: typ,
			ToStatus: status, ToExpiresAt: until}, c.Now)
	})
	return out, err
}

// Downgrade puts user id on the free plan at once, at their own request.
func Downgrade(db *gorm.DB, id uint64, now time.Time) (*User, error) {
	var out *User
	err := db.Transaction(func(tx *gorm.DB) error {
		u, err := lockUser(tx, id, now)
		if err != nil {
			return err
		}
		if u.SubscriptionType == SubscriptionSchoolSponsored {
			return errSponsored
		}
		out = u
		return setSubscription(tx, u, SubscriptionChange{ActorID: &id, Source: ChangeDowngrade, ToType: SubscriptionFree,
			ToStatus: SubscriptionStatusActive}, now)
	})
	return out, err
}

// SubscriptionChanges lists user id's plan changes, newest first.
func SubscriptionChanges(db *gorm.DB, id uint64) ([]SubscriptionChange, error) {
	out := []SubscriptionChange{}
	err := translate(db.Where("user_id = ?", id).Order("id DESC").Find(&out).Error)
	return out, err
}
