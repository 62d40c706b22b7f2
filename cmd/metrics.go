package cmd

import (
	"context"
	"fmt"
	"io"
	"math"
	gosync "sync"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/spf13/cobra"
	zsync "github.com/zrep-go/zrep/sync"
	"github.com/zrep-go/zrep/zfsprops"
)

// MetricsOptions are `zrep metrics`'s parsed arguments.
type MetricsOptions struct {
	Textfile string // a node_exporter textfile collector directory
}

// NewCmdMetrics is `zrep metrics [--textfile DIR]`.
func NewCmdMetrics(f *Factory, runF func(*MetricsOptions) error) *cobra.Command {
	o := &MetricsOptions{}
	c := &cobra.Command{
		Use:   "metrics [--textfile DIR]",
		Short: "Prometheus metrics of every pair, for node_exporter's textfile collector",
		Long: `Print every zrep filesystem of this tag on this host (masters and
replicas, partners asked over SSH) as Prometheus text metrics, or with
--textfile DIR write them to DIR/zrep-TAG.prom atomically (a temporary
file in DIR renamed over it), for node_exporter's textfile collector.
sync and refresh write the same file at the end of every run when
ZREP_TEXTFILE_DIR is set; only those runs know a transfer's duration and
bytes, which metrics keeps from the file it replaces. Metrics and alert
rules: docs/monitoring.md.`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("metrics takes no arguments (it covers every pair of the tag); got %q", args[0])
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			if runF != nil {
				return runF(o)
			}
			return writeMetrics(c.Context(), f, o.Textfile, nil)
		},
	}
	c.Flags().StringVar(&o.Textfile, "textfile", "", "write DIR/zrep-TAG.prom atomically instead of printing")
	return c
}

// writeMetrics reads every pair's state and writes it to dir's textfile,
// or to stdout when dir is empty. runs are this run's results by
// filesystem (sync, refresh), whose durations and bytes replace those the
// old file held.
func writeMetrics(ctx context.Context, f *Factory, dir string, runs map[string]zsync.RunResult) error {
	env, err := f.monitorEnv()
	if err != nil {
		return err
	}
	inv, err := zfsprops.ReadAll(ctx, env.Local, env.Tag)
	if err != nil {
		return err
	}
	states, err := env.PairStates(ctx, inv.ZrepFilesystems(env.Tag), true)
	if err != nil {
		return err
	}
	if dir == "" {
		return renderMetrics(f.IO.Out, env, states, runs, nil)
	}
	path := textfilePath(dir, env.Tag)
	return writeTextfile(path, func(w io.Writer) error {
		return renderMetrics(w, env, states, runs, previousTransfers(path))
	})
}

// runCollector gathers the results of one sync or refresh run's pairs
// (run concurrently with -j) for the textfile written at its end.
type runCollector struct {
	mu   gosync.Mutex
	runs map[string]zsync.RunResult
}

func (r *runCollector) add(res zsync.RunResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.runs == nil {
		r.runs = map[string]zsync.RunResult{}
	}
	r.runs[res.FS] = res
}

// transfer is what the last successful run of a pair moved and took.
type transfer struct{ seconds, bytes float64 }

// metric families, in the order they are written.
var metricHelp = []struct{ name, help string }{
	{"zrep_pair_last_success_timestamp_seconds", "Unix time of the pair's last successful sync (its newest TAG:sent mark here); 0: never synced."},
	{"zrep_pair_lag_seconds", "Seconds since the last successful sync when this file was written; +Inf: never synced."},
	{"zrep_pair_last_duration_seconds", "Duration of the last successful sync or refresh run that wrote this file."},
	{"zrep_pair_last_bytes_sent", "Stream bytes of the last successful sync or refresh run that wrote this file."},
	{"zrep_pair_failures_total", "Failed sync or refresh runs recorded on the local dataset (TAG:failures; zrep clear resets it)."},
	{"zrep_pair_failing", "1 when the last sync or refresh failed (TAG:last-error is set)."},
	{"zrep_pair_partner_up", "1 when the partner answered with its zrep state."},
	{"zrep_pair_snapshots_pending", "zrep snapshots newer than the last synced one, waiting to be sent."},
	{"zrep_pair_status", "Health as the Nagios check judges it without thresholds: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN."},
	{"zrep_textfile_timestamp_seconds", "Unix time this file was written."},
}

// renderMetrics writes the text exposition format through expfmt, so
// that any dataset name is escaped correctly in its label.
func renderMetrics(w io.Writer, env *zsync.Env, states []zsync.PairState, runs map[string]zsync.RunResult, old map[string]transfer) error {
	values := map[string][]*dto.Metric{}
	add := func(name string, labels []*dto.LabelPair, v float64) {
		values[name] = append(values[name], &dto.Metric{Label: labels, Gauge: &dto.Gauge{Value: &v}})
	}
	for i := range states {
		st := &states[i]
		labels := pairLabels(st)
		last, lag := 0.0, math.Inf(1)
		if l, ok := st.Lag(); ok {
			last, lag = float64(st.LastSync.Unix()), math.Floor(l.Seconds())
		}
		add("zrep_pair_last_success_timestamp_seconds", labels, last)
		add("zrep_pair_lag_seconds", labels, lag)
		t, known := old[st.FS]
		if r, ok := runs[st.FS]; ok && r.Err == nil {
			t, known = transfer{r.Duration.Seconds(), float64(r.Bytes)}, true
		}
		if known {
			add("zrep_pair_last_duration_seconds", labels, t.seconds)
			add("zrep_pair_last_bytes_sent", labels, t.bytes)
		}
		add("zrep_pair_failures_total", labels, float64(st.Failures))
		add("zrep_pair_failing", labels, b2f(st.LastFailure != nil))
		add("zrep_pair_partner_up", labels, b2f(st.Partner.Up()))
		add("zrep_pair_snapshots_pending", labels, float64(st.Pending))
		level, _ := st.Health(zsync.Thresholds{})
		add("zrep_pair_status", labels, float64(level))
	}
	add("zrep_textfile_timestamp_seconds", []*dto.LabelPair{label("tag", string(env.Tag))}, float64(env.Now().Unix()))
	for _, m := range metricHelp {
		if len(values[m.name]) == 0 {
			continue
		}
		name, help := m.name, m.help
		typ := dto.MetricType_GAUGE
		ms := values[name]
		if name == "zrep_pair_failures_total" {
			typ = dto.MetricType_COUNTER
			for _, x := range ms {
				x.Counter, x.Gauge = &dto.Counter{Value: x.Gauge.Value}, nil
			}
		}
		if _, err := expfmt.MetricFamilyToText(w, &dto.MetricFamily{Name: &name, Help: &help, Type: &typ, Metric: ms}); err != nil {
			return fmt.Errorf("writing metrics: %w", err)
		}
	}
	return nil
}

// pairLabels name a pair: tag, this side's filesystem and role, and the
// partner.
func pairLabels(st *zsync.PairState) []*dto.LabelPair {
	return []*dto.LabelPair{label("tag", string(st.Tag)), label("fs", st.FS), label("role", string(st.Role)),
		label("partner_host", st.Partner.Host), label("partner_fs", st.Partner.FS)}
}

func label(name, value string) *dto.LabelPair { return &dto.LabelPair{Name: &name, Value: &value} }

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
