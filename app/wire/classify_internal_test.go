package wire

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/sync/localstore"
	"github.com/shcommunity/kiosk/sync/syncer"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want flow.Problem
	}{
		{"not enrolled", &api.Error{Status: 404, Code: api.CodeNotEnrolled}, flow.ProblemNotEnrolled},
		{"service 5xx", &api.Error{Status: 503, Code: api.CodeInternal}, flow.ProblemServiceDown},
		{"timeout", fmt.Errorf("status: %w", context.DeadlineExceeded), flow.ProblemServiceDown},
		{"device refused", fmt.Errorf("sync: %w", syncer.ErrDevice), flow.ProblemServiceDown},
		{"damaged store", fmt.Errorf("record print: %w", &localstore.CorruptError{Path: "kiosk.db", Detail: "page 3"}), flow.ProblemOutOfService},
		{"anything else", errors.New("boom"), flow.ProblemInternal},
	}
	for _, tt := range tests {
		if got := flow.ServiceProblem(classify(tt.err)); got != tt.want {
			t.Errorf("%s: problem %q, want %q", tt.name, got, tt.want)
		}
	}
}
