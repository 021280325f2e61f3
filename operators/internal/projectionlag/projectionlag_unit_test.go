package projectionlag

import (
	"math"
	"testing"
	"time"

	projectionsv1 "ameide.io/sdk/gen/ameide/projections/v1"
)

// The platform's fractional seconds are rounded up, so a projection 60.2 s
// behind is over a 60 s limit; nonsense values become 0.
func TestFromStatus(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 600, time.UTC)
	for _, c := range []struct {
		secs float64
		want int64
	}{{0, 0}, {0.04, 1}, {60, 60}, {60.2, 61}, {-3, 0}, {math.NaN(), 0}, {math.Inf(1), math.MaxInt32}} {
		got := FromStatus(&projectionsv1.ProjectionStatus{SecondsBehind: c.secs, EventsBehind: 7, State: "rebuilding", DeadLetters: 2}, at)
		if got.SecondsBehind != c.want {
			t.Errorf("seconds_behind %v -> %d, want %d", c.secs, got.SecondsBehind, c.want)
		}
		if got.EventsBehind != 7 || got.State != "rebuilding" || got.DeadLetters != 2 || !got.ReportedAt.Time.Equal(at.Truncate(time.Second)) {
			t.Errorf("FromStatus = %+v", got)
		}
	}
}
