package cmd

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/zrep-go/zrep/zfsprops"
)

// textfilePath is the tag's file in a textfile collector directory: one
// file per tag, so that two tags' cron lines never overwrite each other.
func textfilePath(dir string, tag zfsprops.Tag) string {
	return filepath.Join(dir, "zrep-"+string(tag)+".prom")
}

// writeTextfile replaces path with what write produces, atomically: a
// temporary file in the same directory (not ending in .prom, so the
// collector never reads it half written), renamed over path.
func writeTextfile(path string, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return zfsprops.WithHint(fmt.Errorf("cannot write the metrics textfile in %s: %w", dir, err),
			"create the directory or fix its permissions (ZREP_TEXTFILE_DIR, --textfile)")
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	w := bufio.NewWriter(tmp)
	err = write(w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("writing the metrics textfile %s: %w", path, err)
	}
	return nil
}

// previousTransfers reads, from the file about to be replaced, each
// pair's last duration and bytes: only sync and refresh runs measure
// them, and a later `zrep metrics` must not drop them. An unreadable or
// missing file has none.
func previousTransfers(path string) map[string]transfer {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(f)
	if err != nil {
		return nil
	}
	out := map[string]transfer{}
	read := func(family string, set func(*transfer, float64)) {
		fam := fams[family]
		if fam == nil {
			return
		}
		for _, m := range fam.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "fs" {
					t := out[l.GetValue()]
					set(&t, sampleValue(m))
					out[l.GetValue()] = t
				}
			}
		}
	}
	read("zrep_pair_last_duration_seconds", func(t *transfer, v float64) { t.seconds = v })
	read("zrep_pair_last_bytes_sent", func(t *transfer, v float64) { t.bytes = v })
	return out
}

// sampleValue is a gauge's value, or an untyped one's (a file someone
// edited without # TYPE lines).
func sampleValue(m *dto.Metric) float64 {
	if m.Untyped != nil {
		return m.GetUntyped().GetValue()
	}
	return m.GetGauge().GetValue()
}
