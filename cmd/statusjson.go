package cmd

import (
	"encoding/json"
	"io"
	"strings"
	"time"

	zsync "github.com/zrep-go/zrep/sync"
)

// JSONSchema names the layout of status --json and list --json
// (docs/monitoring.md). Fields are only ever added within a version;
// renaming or removing one is a new version.
const JSONSchema = "zrep.status/v1"

// statusDoc is the whole document; times are Unix seconds, null when
// there is none.
type statusDoc struct {
	Schema string    `json:"schema"`
	Host   string    `json:"host"`
	Tag    string    `json:"tag"`
	Time   int64     `json:"time"`
	Status string    `json:"status"`
	Pairs  []pairDoc `json:"pairs"`
}

type pairDoc struct {
	Tag                string      `json:"tag"`
	Local              endpointDoc `json:"local"`
	Partner            partnerDoc  `json:"partner"`
	Role               string      `json:"role"`
	LastSync           *int64      `json:"last_sync"`
	LagSeconds         *int64      `json:"lag_seconds"`
	LastSyncedSnapshot *string     `json:"last_synced_snapshot"`
	LastSnapshot       *string     `json:"last_snapshot"`
	SnapshotsPending   int         `json:"snapshots_pending"`
	WrittenSinceSync   *int64      `json:"written_since_sync"`
	LastFailure        *failureDoc `json:"last_failure"`
	Failures           uint64      `json:"failures"`
	Lock               *lockDoc    `json:"lock"`
	Status             string      `json:"status"`
	Problems           []string    `json:"problems"`
}

type endpointDoc struct {
	Host string `json:"host"`
	FS   string `json:"fs"`
}

type partnerDoc struct {
	Host     string  `json:"host"`
	FS       string  `json:"fs"`
	Checked  bool    `json:"checked"`
	Up       *bool   `json:"up"`
	Role     *string `json:"role"`
	LastSync *int64  `json:"last_sync"`
	Error    *string `json:"error"`
}

type failureDoc struct {
	Time    *int64 `json:"time"`
	Message string `json:"message"`
}

type lockDoc struct {
	PID   int    `json:"pid"`
	Since *int64 `json:"since"`
	Live  bool   `json:"live"`
}

// newStatusDoc renders the model; overall is the worst pair's level.
func newStatusDoc(env *zsync.Env, states []zsync.PairState, th zsync.Thresholds) statusDoc {
	doc := statusDoc{Schema: JSONSchema, Host: env.Self, Tag: string(env.Tag), Time: env.Now().Unix(), Pairs: []pairDoc{}}
	overall := overallLevel(states, th)
	doc.Status = strings.ToLower(overall.String())
	for i := range states {
		doc.Pairs = append(doc.Pairs, newPairDoc(&states[i], th))
	}
	return doc
}

func newPairDoc(st *zsync.PairState, th zsync.Thresholds) pairDoc {
	level, problems := st.Health(th)
	d := pairDoc{
		Tag:              string(st.Tag),
		Local:            endpointDoc{Host: st.Host, FS: st.FS},
		Partner:          partnerDoc{Host: st.Partner.Host, FS: st.Partner.FS, Checked: st.Partner.Checked},
		Role:             string(st.Role),
		LastSync:         unixOrNil(st.LastSync),
		SnapshotsPending: st.Pending,
		Failures:         st.Failures,
		Status:           strings.ToLower(level.String()),
		Problems:         append([]string{}, problems...),
	}
	if lag, ok := st.Lag(); ok {
		secs := int64(lag / time.Second)
		d.LagSeconds = &secs
	}
	d.LastSyncedSnapshot = stringOrNil(st.LastSynced)
	d.LastSnapshot = stringOrNil(st.Newest)
	if st.Written >= 0 {
		d.WrittenSinceSync = &st.Written
	}
	if f := st.LastFailure; f != nil {
		d.LastFailure = &failureDoc{Time: unixOrNil(f.Time), Message: f.Message}
	}
	if l := st.Lock; l != nil {
		d.Lock = &lockDoc{PID: l.PID, Since: unixOrNil(l.Since), Live: l.Live}
	}
	if p := st.Partner; p.Checked {
		up := p.Up()
		d.Partner.Up = &up
		if p.Err != nil {
			d.Partner.Error = stringOrNil(strings.Join(strings.Fields(p.Err.Error()), " "))
		} else {
			d.Partner.Role = stringOrNil(string(p.Role))
			d.Partner.LastSync = unixOrNil(p.LastSync)
		}
	}
	return d
}

// overallLevel is the worst pair's; no pair at all is UNKNOWN (a check
// that watches nothing must not pass: a tag typo, a renamed host).
func overallLevel(states []zsync.PairState, th zsync.Thresholds) zsync.Level {
	if len(states) == 0 {
		return zsync.LevelUnknown
	}
	worst := zsync.LevelOK
	for i := range states {
		if l, _ := states[i].Health(th); l.Worse(worst) {
			worst = l
		}
	}
	return worst
}

func writeJSON(w io.Writer, doc statusDoc) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

func unixOrNil(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	n := t.Unix()
	return &n
}

func stringOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
