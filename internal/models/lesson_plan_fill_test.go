package models_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/teachtrack/api/internal/models"
)

func TestFillFromCurriculum(t *testing.T) {
	c := &models.PlanCurriculum{
		StrandName: "Numbers", SubstrandName: "Whole Numbers",
		KeyInquiryQuestions:          "- How do we count?\n- Why?",
		SpecificLearningOutcomes:     models.StringList{"count to 100", " ", "read numbers"},
		SuggestedLearningExperiences: models.StringList{"Learners model numbers with sticks", "Learners locate numbers on a map"},
		CoreCompetencies:             models.StringList{"Communication"},
		Values:                       models.StringList{},
		PCIs:                         models.StringList{"Safety"},
	}
	text := models.PlanText{Conclusion: "Mine.", ValuesToBeDeveloped: "  "}
	filled := models.FillFromCurriculum(&text, c, "")
	want := models.PlanText{
		SpecificLearningOutcomes: "a) count to 100\nb) read numbers",
		KeyInquiryQuestions:      "- How do we count?\n- Why?",
		CoreCompetences:          "Communication",
		ValuesToBeDeveloped:      "  ", // nothing to fill it with: left as it was
		PCIsToBeAddressed:        "Safety",
		LearningResources:        "Curriculum design, Learner's book, Teacher's guide, Maps and atlases, Modelling materials",
		Introduction:             "Review the previous lesson and link it to Whole Numbers. Pose the key inquiry question: How do we count?",
		Development:              "Step 1: Learners model numbers with sticks\nStep 2: Learners locate numbers on a map",
		Conclusion:               "Mine.",
		Summary:                  "Learners worked towards: count to 100; read numbers.",
	}
	if diff := cmp.Diff(want, text); diff != "" {
		t.Errorf("filled plan (-want +got):\n%s", diff)
	}
	if _, ok := filled["conclusion"]; ok {
		t.Error("the teacher's conclusion was reported as filled")
	}
	if len(filled) != 8 {
		t.Errorf("filled %d columns, want 8: %v", len(filled), filled)
	}
	// The same inputs give the same plan.
	again := models.PlanText{Conclusion: "Mine.", ValuesToBeDeveloped: "  "}
	models.FillFromCurriculum(&again, c, "")
	if again != text {
		t.Error("filling is not deterministic")
	}
}
