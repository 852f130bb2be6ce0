package handlers

// A small chart helper for the query-log dashboard: it lays out a bar or
// line chart with axes and labels, or a horizontal bar list, and the
// "chart" and "barlist" templates of logs.html draw the layout as inline
// SVG. Drawing through html/template escapes every label and tooltip, user
// text included; nothing here builds markup, and no script or external
// resource is needed.

import (
	"math"
	"strconv"
)

// chartKind is how a chart draws its points.
type chartKind int

const (
	chartBars chartKind = iota // a bar per point
	chartLine                  // a line through the points, a dot on each
)

// chartPoint is one value of a chart, a day on the dashboard.
type chartPoint struct {
	Tick  string // the x-axis label, shown for some points
	Tip   string // the tooltip: the day and the formatted value
	Value float64
	// Empty marks a point without data (a rate on a day without
	// questions): drawn as a gap, a shaded column with no mark, and the
	// line broken around it.
	Empty bool
}

// chartSpec describes a chart to lay out.
type chartSpec struct {
	ID, Title string
	// XTitle and YTitle name the axes.
	XTitle, YTitle string
	Kind           chartKind
	Points         []chartPoint
	// Max is the top of the y axis and Step its tick interval; zero Max
	// scales the axis to the data with round ticks.
	Max, Step float64
	// Format writes a tick value.
	Format func(float64) string
}

// The size of a chart in SVG user units, and its plot area. A chart is
// drawn as wide as its box, so a unit is about 0.73 px on a 390 px phone
// and about 0.9 px on a desktop: chartFont keeps labels at 10 px or more.
const (
	chartWidth  = 480
	chartHeight = 260
	chartFont   = 15
	plotLeft    = 70
	plotRight   = chartWidth - 12
	plotTop     = 14
	plotBottom  = chartHeight - 50
	// maxXTicks bounds the labels on the x axis.
	maxXTicks = 6
)

// chartTick is a labelled position on an axis.
type chartTick struct {
	X, Y  float64
	Label string
}

// chartMark is a drawn point: a bar or a gap (X, Y, W, H) or a dot (X, Y).
type chartMark struct {
	X, Y, W, H float64
	Tip        string
}

// chartView is the layout the "chart" template draws.
type chartView struct {
	ID, Title                string
	Width, Height, Font      int
	Left, Right, Top, Bottom float64
	YTicks, XTicks           []chartTick
	// XTitle is drawn centred under the x labels at XTitleY, YTitle
	// turned along the y axis at YTitleX.
	XTitle, YTitle   string
	XTitleY, YTitleX float64
	// Bars and Dots mark the points with data; Gaps shade the days
	// without.
	Bars, Dots, Gaps []chartMark
	// Lines are the polylines' points, one per run of days with data;
	// none for bar charts.
	Lines  []string
	NoData bool // every point is zero or empty
}

// round1 rounds to a tenth, which keeps the SVG short.
func round1(f float64) float64 { return math.Round(f*10) / 10 }

// niceStep returns a round tick interval (1, 2 or 5 times a power of ten)
// that divides hi into at most about four parts.
func niceStep(hi float64) float64 {
	if hi <= 0 {
		return 1
	}
	raw := hi / 4
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*pow >= raw {
			return m * pow
		}
	}
	return 10 * pow
}

// layoutChart computes the layout of c.
func layoutChart(c chartSpec) chartView {
	v := chartView{ID: c.ID, Title: c.Title, Width: chartWidth, Height: chartHeight, Font: chartFont,
		Left: plotLeft, Right: plotRight, Top: plotTop, Bottom: plotBottom, NoData: true,
		XTitle: c.XTitle, YTitle: c.YTitle, XTitleY: chartHeight - 6, YTitleX: chartFont + 2}
	format := c.Format
	if format == nil {
		format = func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
	}
	top, step := c.Max, c.Step
	if top <= 0 {
		var hi float64
		for _, p := range c.Points {
			if !p.Empty {
				hi = math.Max(hi, p.Value)
			}
		}
		step = niceStep(hi)
		if step < 1 && hi >= 1 {
			step = 1
		}
		top = math.Max(step, math.Ceil(hi/step)*step)
	}
	if step <= 0 {
		step = top / 4
	}
	y := func(val float64) float64 {
		return round1(plotBottom - math.Min(math.Max(val, 0), top)/top*(plotBottom-plotTop))
	}
	for t := 0.0; t <= top+step/1e6; t += step {
		v.YTicks = append(v.YTicks, chartTick{X: plotLeft - 6, Y: y(t), Label: format(t)})
	}

	n := len(c.Points)
	if n == 0 {
		return v
	}
	slot := float64(plotRight-plotLeft) / float64(n)
	every := (n + maxXTicks - 1) / maxXTicks
	var line []byte
	endLine := func() {
		if len(line) > 0 {
			v.Lines = append(v.Lines, string(line))
			line = nil
		}
	}
	for i, p := range c.Points {
		if !p.Empty && p.Value != 0 {
			v.NoData = false
		}
		center := round1(plotLeft + (float64(i)+0.5)*slot)
		if i%every == 0 {
			v.XTicks = append(v.XTicks, chartTick{X: center, Y: plotBottom + chartFont + 4, Label: p.Tick})
		}
		if p.Empty {
			v.Gaps = append(v.Gaps, chartMark{X: round1(plotLeft + float64(i)*slot), Y: plotTop, W: round1(slot), H: plotBottom - plotTop, Tip: p.Tip})
			endLine()
			continue
		}
		py := y(p.Value)
		switch c.Kind {
		case chartBars:
			w := math.Max(1, slot*0.7)
			v.Bars = append(v.Bars, chartMark{X: round1(center - w/2), Y: py, W: round1(w), H: round1(plotBottom - py), Tip: p.Tip})
		case chartLine:
			v.Dots = append(v.Dots, chartMark{X: center, Y: py, Tip: p.Tip})
			if len(line) > 0 {
				line = append(line, ' ')
			}
			line = strconv.AppendFloat(line, center, 'f', -1, 64)
			line = append(line, ',')
			line = strconv.AppendFloat(line, py, 'f', -1, 64)
		}
	}
	endLine()
	return v
}

// barRow is one row of a horizontal bar list.
type barRow struct {
	Y, TextY, BarW, ValueX float64
	Label                  string // the text, cut to fit
	Tip                    string // the whole text and the value
	Value                  string
}

// barListView is the layout the "barlist" template draws: labelled
// horizontal bars, such as the most asked questions.
type barListView struct {
	ID, Title           string
	Width, Height, Font int
	LabelX, BarX        float64
	BarH                float64
	Rows                []barRow
}

// barItem is one entry of a bar list.
type barItem struct {
	Label string
	Value int64
}

// The layout of a bar list, as wide as a chart and in its font.
const (
	barRowHeight  = 26
	barLabelWidth = 230
	barMaxWidth   = chartWidth - barLabelWidth - 50
	barLabelRunes = 15
)

// layoutBars computes the layout of a bar list of items, longest first as
// given.
func layoutBars(id, title string, items []barItem) barListView {
	v := barListView{ID: id, Title: title, Width: chartWidth, Font: chartFont, Height: max(1, len(items))*barRowHeight + 8,
		LabelX: barLabelWidth - 8, BarX: barLabelWidth, BarH: barRowHeight - 8}
	var top int64 = 1
	for _, it := range items {
		top = max(top, it.Value)
	}
	for i, it := range items {
		w := round1(float64(it.Value) / float64(top) * barMaxWidth)
		y := float64(4 + i*barRowHeight)
		value := strconv.FormatInt(it.Value, 10)
		v.Rows = append(v.Rows, barRow{Y: y, TextY: y + (barRowHeight-8)/2 + 5, BarW: math.Max(w, 1), ValueX: barLabelWidth + w + 6,
			Label: shortenRunes(oneLine(it.Label), barLabelRunes), Tip: it.Label + "：" + value, Value: value})
	}
	return v
}
