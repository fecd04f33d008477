package api_test

import (
	"strings"
	"testing"

	"github.com/pb33f/go-yaml"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/pb33f/libopenapi/orderedmap"

	"github.com/teachtrack/api/api"
)

// TestSpecIsValid is the spec's lint without network: the document must build
// as an OpenAPI 3.1 model with every $ref resolved, pass the 3.1 meta-schema,
// and every JSON example must match the schema it illustrates (an example a
// frontend developer copies must be something the server really accepts or
// sends).
func TestSpecIsValid(t *testing.T) {
	doc, err := libopenapi.NewDocument(api.Spec())
	if err != nil {
		t.Fatalf("parsing: %v", err)
	}
	if v := doc.GetVersion(); v != "3.1.0" {
		t.Errorf("openapi version %q, want 3.1.0", v)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		t.Fatalf("building the 3.1 model: %v", err)
	}
	v, errs := validator.NewValidator(doc)
	for _, err := range errs {
		t.Errorf("validator: %v", err)
	}
	if v != nil {
		if ok, verrs := v.ValidateDocument(); !ok {
			for _, e := range verrs {
				t.Errorf("document: %s", e.Error())
				for _, se := range e.SchemaValidationErrors {
					t.Errorf("  %s: %s (line %d)", se.FieldPath, se.Reason, se.Line)
				}
			}
		}
	}

	checkKeys(t)

	ids := map[string]string{}
	for path, item := range model.Model.Paths.PathItems.FromOldest() {
		for method, op := range item.GetOperations().FromOldest() {
			where := strings.ToUpper(method) + " " + path
			switch {
			case op.OperationId == "":
				t.Errorf("%s has no operationId", where)
			case ids[op.OperationId] != "":
				t.Errorf("%s and %s share operationId %s", ids[op.OperationId], where, op.OperationId)
			}
			ids[op.OperationId] = where
			if op.Summary == "" {
				t.Errorf("%s has no summary", where)
			}
			if op.RequestBody != nil {
				checkExamples(t, where+" request", op.RequestBody.Content)
			}
			for code, res := range op.Responses.Codes.FromOldest() {
				checkExamples(t, where+" "+code, res.Content)
			}
		}
	}
}

// checkExamples validates each JSON example in content against its schema.
func checkExamples(t *testing.T, where string, content *orderedmap.Map[string, *v3.MediaType]) {
	t.Helper()
	sv := schema_validation.NewSchemaValidator()
	for mt, media := range content.FromOldest() {
		if !strings.HasSuffix(mt, "json") || media.Schema == nil {
			continue
		}
		nodes := map[string]*yaml.Node{"example": media.Example}
		if media.Examples != nil {
			for name, ex := range media.Examples.FromOldest() {
				nodes["examples."+name] = ex.Value
			}
		}
		for name, node := range nodes {
			if node == nil {
				continue
			}
			var value any
			if err := node.Decode(&value); err != nil {
				t.Errorf("%s %s: %v", where, name, err)
				continue
			}
			if ok, errs := sv.ValidateSchemaObject(media.Schema.Schema(), value); !ok {
				for _, e := range errs {
					for _, se := range e.SchemaValidationErrors {
						t.Errorf("%s %s %s: %s at %s", where, mt, name, se.Reason, se.FieldPath)
					}
					if len(e.SchemaValidationErrors) == 0 {
						t.Errorf("%s %s %s: %s", where, mt, name, e.Error())
					}
				}
			}
		}
	}
}

// checkKeys fails on a mapping key with a space or backtick in it. No name in
// the spec has one, but a comma inside an unquoted flow-style description
// ({ description: a, b }) silently splits it into a key that the 3.1
// meta-schema accepts as an unknown schema keyword.
func checkKeys(t *testing.T) {
	t.Helper()
	var root yaml.Node
	if err := yaml.Unmarshal(api.Spec(), &root); err != nil {
		t.Fatal(err)
	}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if k := n.Content[i]; strings.ContainsAny(k.Value, " `") {
					t.Errorf("line %d: key %q (quote a description that holds a comma or colon)", k.Line, k.Value)
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&root)
}
