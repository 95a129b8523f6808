// Checks the hub's log with Go's original sumdb packages (golang.org/x/mod/sumdb/tlog and
// note, Debian's golang-golang-x-mod-dev): an implementation of tiles, proofs and signed notes
// independent of ours. Usage: go run main.go DIR, where DIR holds `vkey`, `checkpoint`,
// `old-checkpoint` and the tiles and entry bundles under `tile/` as the hub serves them.
package main

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const origin = "hub.myna.invalid/log"

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

// Tiles read from DIR. Go names them tile/8/L/N (with the height) and entry tiles
// tile/8/data/N; C2SP tlog-tiles drops the height and calls the data tiles entries.
type dirTiles struct{ dir string }

func (d dirTiles) Height() int { return 8 }

func c2sp(t tlog.Tile) string {
	p := t.Path()
	p = strings.Replace(p, "tile/8/data/", "tile/entries/", 1)
	return strings.Replace(p, "tile/8/", "tile/", 1)
}

func (d dirTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		b, err := os.ReadFile(filepath.Join(d.dir, c2sp(t)))
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

func (d dirTiles) SaveTiles([]tlog.Tile, [][]byte) {}

func checkpoint(dir, name string, known note.Verifiers) (int64, tlog.Hash) {
	msg, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		fail("%s: %v", name, err)
	}
	n, err := note.Open(msg, known)
	if err != nil {
		fail("%s: the note does not verify: %v", name, err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[0] != origin {
		fail("%s: not a checkpoint of %s: %q", name, origin, n.Text)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		fail("%s: size: %v", name, err)
	}
	raw, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(raw) != tlog.HashSize {
		fail("%s: root hash: %q", name, lines[2])
	}
	var h tlog.Hash
	copy(h[:], raw)
	return size, h
}

func main() {
	dir := os.Args[1]
	vkey, err := os.ReadFile(filepath.Join(dir, "vkey"))
	if err != nil {
		fail("vkey: %v", err)
	}
	v, err := note.NewVerifier(strings.TrimSpace(string(vkey)))
	if err != nil {
		fail("vkey: %v", err)
	}
	known := note.VerifierList(v)
	oldN, oldH := checkpoint(dir, "old-checkpoint", known)
	n, h := checkpoint(dir, "checkpoint", known)
	tiles := dirTiles{dir}
	r := tlog.TileHashReader(tlog.Tree{N: n, Hash: h}, tiles)
	th, err := tlog.TreeHash(n, r)
	if err != nil || th != h {
		fail("the tiles give root %v (%v), the checkpoint %v", th, err, h)
	}
	tp, err := tlog.ProveTree(n, oldN, r)
	if err != nil {
		fail("consistency proof %d -> %d: %v", oldN, n, err)
	}
	if err := tlog.CheckTree(tp, n, h, oldN, oldH); err != nil {
		fail("the tree of %d does not extend the tree of %d: %v", n, oldN, err)
	}
	records := int64(0)
	for k := int64(0); k*256 < n; k++ {
		w := n - k*256
		if w > 256 {
			w = 256
		}
		data, err := tiles.ReadTiles([]tlog.Tile{{H: 8, L: -1, N: k, W: int(w)}})
		if err != nil {
			fail("entry bundle %d: %v", k, err)
		}
		b := data[0]
		for i := k * 256; i < k*256+w; i++ {
			if len(b) < 2 || len(b) < 2+int(binary.BigEndian.Uint16(b)) {
				fail("entry bundle %d ends inside entry %d", k, i)
			}
			size := int(binary.BigEndian.Uint16(b))
			entry := b[2 : 2+size]
			b = b[2+size:]
			p, err := tlog.ProveRecord(n, i, r)
			if err != nil {
				fail("record proof %d: %v", i, err)
			}
			if err := tlog.CheckRecord(p, n, h, i, tlog.RecordHash(entry)); err != nil {
				fail("entry %d is not in the tree: %v", i, err)
			}
			records++
		}
		if len(b) != 0 {
			fail("entry bundle %d has %d bytes after its %d entries", k, len(b), w)
		}
	}
	fmt.Printf("ok: checkpoint of %d verified with %s, %d entries proven, consistent with %d\n", n, v.Name(), records, oldN)
}
