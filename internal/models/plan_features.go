package models

// Feature is something a plan may or may not include: the switches of
// PlanLimits that handlers check before they generate or print anything.
type Feature int

// The features PlanLimits.Allow checks.
const (
	FeaturePDF          Feature = iota // one document as a PDF
	FeatureBulkDownload                // several documents in one PDF
	FeatureGenerate                    // new schemes, lesson plans or records made for the teacher
	FeatureAI                          // the AI lesson-plan assistant
)

// Allow is nil when l includes f, else the ErrPlanLimit whose sentence says
// what was refused and which plan lifts it (handlers answer 403 with it).
func (l PlanLimits) Allow(f Feature) error {
	var ok bool
	var what string
	switch f {
	case FeaturePDF:
		ok, what = l.PDFDownloads, "PDF downloads are not included in your "+PlanName(l.Plan)+" plan."
	case FeatureBulkDownload:
		ok, what = l.BulkDownloads, "Downloading several documents at once is not included in your "+PlanName(l.Plan)+" plan."
	case FeatureGenerate:
		ok, what = l.Generate, "Generating documents is not included in your "+PlanName(l.Plan)+" plan now."
	case FeatureAI:
		ok, what = l.AIAssistant, "The AI assistant is not included in your "+PlanName(l.Plan)+" plan now."
	}
	if ok {
		return nil
	}
	if up := l.Upgrade(); up != "" {
		what += " " + up
	}
	return PlanLimitError(what)
}
