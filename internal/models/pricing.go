package models

import (
	"time"

	"gorm.io/gorm"
)

// PlanPrice is a row of plan_prices: what a period costs and the plan it grants.
type PlanPrice struct {
	Period        Period `gorm:"primaryKey"`
	Plan          string
	Label         string
	PriceKES      int `gorm:"column:price_kes"`
	DurationLabel string
	Currency      string
	UpdatedBy     *uint64
	UpdatedAt     time.Time
}

// Pricing is every period's price.
type Pricing struct {
	Currency string
	Termly   PlanPrice
	Yearly   PlanPrice
}

// For returns the price of period.
func (p *Pricing) For(period Period) PlanPrice {
	if period == PeriodYearly {
		return p.Yearly
	}
	return p.Termly
}

// Prices reads the pricing (one statement). The migration seeds both rows.
func Prices(db *gorm.DB) (*Pricing, error) {
	var rows []PlanPrice
	if err := translate(db.Order("period").Find(&rows).Error); err != nil {
		return nil, err
	}
	p := &Pricing{Currency: "KES"}
	for _, r := range rows {
		switch r.Period {
		case PeriodTermly:
			p.Termly = r
		case PeriodYearly:
			p.Yearly = r
		}
		p.Currency = r.Currency
	}
	if p.Termly.Period == "" || p.Yearly.Period == "" {
		return nil, Sentence(ErrNotFound, "The prices are not set up: run the migrations.")
	}
	return p, nil
}

// PriceChange is what a super admin sets for one period.
type PriceChange struct {
	Label         string
	PriceKES      int
	DurationLabel string
}

// SetPrices replaces both periods' prices in one transaction, recording who
// set them; the plans they grant stay as they are.
func SetPrices(db *gorm.DB, currency string, termly, yearly PriceChange, by uint64) (*Pricing, error) {
	err := db.Transaction(func(tx *gorm.DB) error {
		// Always in the same order, so two admins saving at once never deadlock.
		for _, c := range []struct {
			period Period
			PriceChange
		}{{PeriodTermly, termly}, {PeriodYearly, yearly}} {
			if err := translate(tx.Model(&PlanPrice{}).Where("period = ?", c.period).Updates(map[string]any{
				"label": c.Label, "price_kes": c.PriceKES, "duration_label": c.DurationLabel, "currency": currency, "updated_by": by,
			}).Error); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return Prices(db)
}
