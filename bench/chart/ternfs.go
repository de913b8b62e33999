package chart

import (
	"fmt"
	"image/color"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/terngate/terngate/bench/ternfsbench"
)

// ternfsColors are the targets of a TernFS run, in legend order.
var ternfsColors = []struct {
	target string
	color  color.Color
}{
	{"terngate", color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}},
	{"terns3", color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff}},
	{"terncli", color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff}},
	{"aws-cli", color.RGBA{R: 0x94, G: 0x67, B: 0xbd, A: 0xff}},
}

// WriteTernFSPNG renders a TernFS run to path: every target's throughput
// per op and size, then the ratios with their goals.
func WriteTernFSPNG(rep *ternfsbench.Report, path string) error {
	if len(rep.Targets) == 0 {
		return fmt.Errorf("chart: no results to draw")
	}
	throughput, err := ternfsThroughputPlot(rep)
	if err != nil {
		return err
	}
	throughput.Title.Text = fmt.Sprintf("terngate bench on TernFS — %d CPUs, concurrency %d, %d round(s)\n%s",
		rep.Machine.CPUs, rep.Settings.Concurrency, rep.Settings.Rounds, throughput.Title.Text)
	plots := []*plot.Plot{throughput}
	if len(rep.Comparisons) > 0 {
		ratios, err := ternfsRatioPlot(rep.Comparisons)
		if err != nil {
			return err
		}
		plots = append(plots, ratios)
	}
	return writePlots(plots, path)
}

// ternfsThroughputPlot draws one group of bars per op and size, one bar per
// target that did it.
func ternfsThroughputPlot(rep *ternfsbench.Report) (*plot.Plot, error) {
	type group struct {
		op   ternfsbench.Op
		size int64
	}
	var groups []group
	for _, f := range rep.Targets {
		g := group{f.Op, f.Size}
		if len(groups) == 0 || groups[len(groups)-1] != g {
			groups = append(groups, g)
		}
	}
	p := plot.New()
	p.Title.Text = "Throughput (MiB/s, higher is better)"
	p.Legend.Top = true
	p.Y.Min = 0
	barWidth := vg.Points(22)
	offset := -barWidth * 3 / 2
	for _, tc := range ternfsColors {
		vals := make(plotter.Values, len(groups))
		found := false
		for i, g := range groups {
			for _, f := range rep.Targets {
				if f.Target == tc.target && f.Op == g.op && f.Size == g.size {
					vals[i], found = f.MiBPerSecond, true
				}
			}
		}
		if !found {
			continue
		}
		bars, err := plotter.NewBarChart(vals, barWidth)
		if err != nil {
			return nil, fmt.Errorf("chart: %w", err)
		}
		bars.Color = tc.color
		bars.LineStyle.Width = 0
		bars.Offset = offset
		offset += barWidth
		p.Add(bars)
		p.Legend.Add(tc.target, bars)
	}
	names := make([]string, len(groups))
	for i, g := range groups {
		names[i] = fmt.Sprintf("%s\n%s", strings.ToUpper(string(g.op)), sizeLabel(g.size))
	}
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.7, float64(len(groups))-0.3
	p.Add(plotter.NewGrid())
	return p, nil
}

// ternfsRatioPlot draws each comparison's median ratio as a bar in the
// yardstick's colour, every round's ratio as a ring, and the goal as a
// black line across the bar.
func ternfsRatioPlot(comps []ternfsbench.Comparison) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "Ratio to the yardstick (median bar, rounds as rings, goal as line; above 1 is faster)"
	p.Y.Min = 0
	vals := make(plotter.Values, len(comps))
	var rounds plotter.XYs
	names := make([]string, len(comps))
	for i, c := range comps {
		vals[i] = c.Median
		for _, r := range c.PerRound {
			rounds = append(rounds, plotter.XY{X: float64(i), Y: r})
		}
		names[i] = fmt.Sprintf("%s %s\n%s\n÷ %s", strings.ToUpper(string(c.Op)), sizeLabel(c.Size), c.Subject, c.Yardstick)
	}
	for i, c := range comps {
		one := make(plotter.Values, len(comps))
		one[i] = vals[i]
		bar, err := plotter.NewBarChart(one, vg.Points(26))
		if err != nil {
			return nil, fmt.Errorf("chart: %w", err)
		}
		bar.Color = colorOf(c.Yardstick)
		bar.LineStyle.Width = 0
		p.Add(bar)
		goal, err := plotter.NewLine(plotter.XYs{{X: float64(i) - 0.3, Y: c.Goal}, {X: float64(i) + 0.3, Y: c.Goal}})
		if err != nil {
			return nil, fmt.Errorf("chart: %w", err)
		}
		goal.LineStyle.Width = vg.Points(2)
		p.Add(goal)
	}
	if len(rounds) > 0 {
		rings, err := plotter.NewScatter(rounds)
		if err != nil {
			return nil, fmt.Errorf("chart: %w", err)
		}
		rings.GlyphStyle = draw.GlyphStyle{Color: color.Black, Radius: vg.Points(3), Shape: draw.RingGlyph{}}
		p.Add(rings)
	}
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.6, float64(len(comps))-0.4
	p.Add(plotter.NewGrid())
	return p, nil
}

func colorOf(target string) color.Color {
	for _, tc := range ternfsColors {
		if tc.target == target {
			return tc.color
		}
	}
	return color.Gray{Y: 0x80}
}
