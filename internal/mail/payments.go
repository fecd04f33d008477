package mail

import (
	"fmt"
	"time"
)

// Receipt is what the payment-confirmation mail says about a payment.
type Receipt struct {
	PlanName string // "Termly", "Yearly"
	Amount   int    // whole shillings
	Currency string
	Code     string     // the M-Pesa receipt number; "" when M-Pesa gave none
	Until    *time.Time // when the plan ends, in the school's time zone; nil: no end
}

// PaymentConfirmed thanks a user whose M-Pesa payment went through and says
// what it bought (issue 19: one mail per payment).
func PaymentConfirmed(l Links, to, name string, r Receipt) Message {
	paid := fmt.Sprintf("We have received your M-Pesa payment of %s %d for the %s plan.", r.Currency, r.Amount, r.PlanName)
	if r.Code != "" {
		paid += " M-Pesa receipt: " + r.Code + "."
	}
	until := "Your plan is active now."
	if r.Until != nil {
		until = "Your plan is active until " + r.Until.Format("2 January 2006") + "."
	}
	return render(to, "Payment received: your TeachTrack "+r.PlanName+" plan is active", content{
		Paragraphs: []string{greeting(name), paid, until},
		Link:       l.LoginURL(), Button: "Open TeachTrack",
		Footer: "Keep this e-mail as your receipt. If you did not make this payment, reply to this e-mail.",
	})
}
