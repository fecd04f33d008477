-- +goose Up
-- A plan made from a scheme lesson keeps its link until the scheme (or the
-- lesson) is deleted; the plan itself stays, written from then on.
ALTER TABLE lesson_plans
    ADD CONSTRAINT fk_lesson_plans_scheme_lesson FOREIGN KEY (scheme_lesson_id) REFERENCES scheme_lessons (id) ON DELETE SET NULL;

-- +goose Down
ALTER TABLE lesson_plans DROP FOREIGN KEY fk_lesson_plans_scheme_lesson;
