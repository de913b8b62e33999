// Package chart draws a benchmark report as one PNG: throughput of the
// bulk workloads, operations per second of the small ones, and latency
// percentiles, each beside the reference server and the raw disk.
package chart

import (
	"fmt"
	"image/color"
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/terngate/terngate/bench/s3bench"
)

// Size of the image.
const (
	width  = 9 * vg.Inch
	height = 12 * vg.Inch
	dpi    = 110
)

// series is one target's bars or points, in one colour.
type series struct {
	name  string
	color color.Color
	pick  func(c s3bench.Comparison) *s3bench.Figures
}

var allSeries = []series{
	{"target", color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}, func(c s3bench.Comparison) *s3bench.Figures { return &c.Target }},
	{"reference server", color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff}, func(c s3bench.Comparison) *s3bench.Figures { return c.Reference }},
	{"raw disk", color.RGBA{R: 0x7f, G: 0x7f, B: 0x7f, A: 0xff}, func(c s3bench.Comparison) *s3bench.Figures { return c.RawDisk }},
}

// WritePNG renders rep to path.
func WritePNG(rep *s3bench.Report, path string) error {
	var bulk, small []s3bench.Comparison
	for _, c := range rep.Workloads {
		if c.Headline == "mib_per_second" {
			bulk = append(bulk, c)
		} else {
			small = append(small, c)
		}
	}
	targetName := rep.Target
	var plots []*plot.Plot
	if len(bulk) > 0 {
		p, err := barPlot("Throughput (MiB/s, higher is better)", bulk, targetName, func(f *s3bench.Figures) float64 { return f.MiBPerSecond })
		if err != nil {
			return err
		}
		plots = append(plots, p)
	}
	if len(small) > 0 {
		// A dot plot on a log scale: raw-disk reads from the page cache run
		// at tens of thousands of ops/s and would flatten every bar.
		p, err := dotPlot("Operations per second (log scale, higher is better)", small, targetName, func(f *s3bench.Figures) float64 { return f.OpsPerSecond })
		if err != nil {
			return err
		}
		plots = append(plots, p)
	}
	if len(rep.Workloads) > 0 {
		p, err := latencyPlot(rep.Workloads, targetName)
		if err != nil {
			return err
		}
		plots = append(plots, p)
	}
	if len(plots) == 0 {
		return fmt.Errorf("chart: no results to draw")
	}
	plots[0].Title.Text = fmt.Sprintf("terngate bench — %s, %d CPUs, concurrency %d, %d round(s) × %.0fs\n%s",
		rep.Target, rep.Machine.CPUs, rep.Settings.Concurrency, rep.Settings.Rounds, rep.Settings.DurationSeconds, plots[0].Title.Text)

	return writePlots(plots, path)
}

// writePlots stacks plots vertically into one PNG at path.
func writePlots(plots []*plot.Plot, path string) error {
	img := vgimg.NewWith(vgimg.UseWH(width, height*vg.Length(len(plots))/3), vgimg.UseDPI(dpi))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(plots), Cols: 1, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 6,
		PadTop: vg.Millimeter * 3, PadBottom: vg.Millimeter * 3, PadLeft: vg.Millimeter * 3, PadRight: vg.Millimeter * 3}
	grid := make([][]*plot.Plot, len(plots))
	for i, p := range plots {
		grid[i] = []*plot.Plot{p}
	}
	canvases := plot.Align(grid, tiles, dc)
	for i := range plots {
		plots[i].Draw(canvases[i][0])
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("chart: encode PNG: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	return nil
}

func workloadNames(comps []s3bench.Comparison) []string {
	names := make([]string, len(comps))
	for i, c := range comps {
		names[i] = string(c.Workload)
		if c.Size > 0 {
			names[i] += fmt.Sprintf("\n%s", sizeLabel(c.Size))
		}
	}
	return names
}

func sizeLabel(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// barPlot draws one group of bars per workload, one bar per target that ran
// it (a missing yardstick leaves a gap).
func barPlot(title string, comps []s3bench.Comparison, targetName string, value func(*s3bench.Figures) float64) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.Legend.Top = true
	p.Y.Min = 0
	barWidth := vg.Points(22)
	offset := -barWidth
	for _, s := range allSeries {
		vals := make(plotter.Values, len(comps))
		any := false
		for i, c := range comps {
			if f := s.pick(c); f != nil {
				vals[i] = value(f)
				any = true
			}
		}
		if !any {
			continue
		}
		bars, err := plotter.NewBarChart(vals, barWidth)
		if err != nil {
			return nil, fmt.Errorf("chart: %w", err)
		}
		bars.Color = s.color
		bars.LineStyle.Width = 0
		bars.Offset = offset
		offset += barWidth
		p.Add(bars)
		p.Legend.Add(label(s.name, targetName), bars)
	}
	p.NominalX(workloadNames(comps)...)
	p.X.Min, p.X.Max = -0.6, float64(len(comps))-0.4
	p.Add(plotter.NewGrid())
	return p, nil
}

// dotPlot draws one filled dot per workload and target on a log scale.
func dotPlot(title string, comps []s3bench.Comparison, targetName string, value func(*s3bench.Figures) float64) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Legend.Top = true
	const spread = 0.15
	shift := -spread
	for _, s := range allSeries {
		var pts plotter.XYs
		for i, c := range comps {
			if f := s.pick(c); f != nil && value(f) > 0 {
				pts = append(pts, plotter.XY{X: float64(i) + shift, Y: value(f)})
			}
		}
		shift += spread
		if len(pts) == 0 {
			continue
		}
		dots, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, fmt.Errorf("chart: %w", err)
		}
		dots.GlyphStyle = draw.GlyphStyle{Color: s.color, Radius: vg.Points(5), Shape: draw.CircleGlyph{}}
		p.Add(dots)
		p.Legend.Add(label(s.name, targetName), dots)
	}
	p.NominalX(workloadNames(comps)...)
	p.X.Min, p.X.Max = -0.6, float64(len(comps))-0.4
	p.Add(plotter.NewGrid())
	return p, nil
}

func label(series, targetName string) string {
	if series == "target" {
		return targetName
	}
	return series
}

// latencyPlot draws p50 (filled) and p99 (open) latency per workload and
// target on a log scale: small and large operations differ by orders of
// magnitude.
func latencyPlot(comps []s3bench.Comparison, targetName string) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "Latency (ms, log scale, lower is better): p50 filled, p99 open"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Legend.Top = true
	const spread = 0.15
	shift := -spread
	for _, s := range allSeries {
		var p50, p99 plotter.XYs
		for i, c := range comps {
			f := s.pick(c)
			if f == nil || f.Latency.P50 <= 0 {
				continue
			}
			p50 = append(p50, plotter.XY{X: float64(i) + shift, Y: f.Latency.P50})
			p99 = append(p99, plotter.XY{X: float64(i) + shift, Y: max(f.Latency.P99, f.Latency.P50)})
		}
		shift += spread
		if len(p50) == 0 {
			continue
		}
		filled, err := plotter.NewScatter(p50)
		if err != nil {
			return nil, fmt.Errorf("chart: %w", err)
		}
		filled.GlyphStyle = draw.GlyphStyle{Color: s.color, Radius: vg.Points(4), Shape: draw.CircleGlyph{}}
		open, err := plotter.NewScatter(p99)
		if err != nil {
			return nil, fmt.Errorf("chart: %w", err)
		}
		open.GlyphStyle = draw.GlyphStyle{Color: s.color, Radius: vg.Points(4), Shape: draw.RingGlyph{}}
		p.Add(filled, open)
		p.Legend.Add(label(s.name, targetName), filled)
	}
	p.NominalX(workloadNames(comps)...)
	p.X.Min, p.X.Max = -0.6, float64(len(comps))-0.4
	p.Add(plotter.NewGrid())
	return p, nil
}
