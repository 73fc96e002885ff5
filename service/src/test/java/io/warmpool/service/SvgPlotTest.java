package io.warmpool.service;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SvgPlotTest {

    @Test
    void eachSeriesIsALineWithAMarkerPerPointAndALegendEntry() {
        String svg = new SvgPlot("reset <cost>", new SvgPlot.Axis("dirty pages", true), new SvgPlot.Axis("µs", true))
                .series("pagemap-guided", new double[] {1, 16, 256}, new double[] {5, 6, 20})
                .series("memset & co", new double[] {1, 16, 256}, new double[] {130, 130, 131})
                .render();
        assertTrue(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""), svg);
        assertTrue(svg.strip().endsWith("</svg>"));
        assertEquals(2, svg.split("<polyline").length - 1);
        assertEquals(6, svg.split("<circle").length - 1);
        assertTrue(svg.contains("reset &lt;cost&gt;") && svg.contains("memset &amp; co"), "text is escaped");
    }

    @Test
    void valuesALogAxisCannotShowAreLeftOut() {
        String svg = new SvgPlot("t", new SvgPlot.Axis("x", true), new SvgPlot.Axis("y", false))
                .series("s", new double[] {0, 10}, new double[] {1, 2}).render();
        assertEquals(1, svg.split("<circle").length - 1);
    }

    @Test
    void ticksArePowersOfTenOnALogAxisAndRoundStepsOnALinearOne() {
        assertEquals(List.of(1.0, 10.0, 100.0), SvgPlot.ticks(new SvgPlot.Axis("x", true), new double[] {1, 100}));
        assertEquals(List.of(0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0),
                SvgPlot.ticks(new SvgPlot.Axis("x", false), new double[] {0, 90}));
        assertEquals(List.of(0.0, 5.0, 10.0, 15.0), SvgPlot.ticks(new SvgPlot.Axis("x", false), new double[] {0, 15}));
    }

    @Test
    void aSeriesNeedsAsManyYAsXValues() {
        assertThrows(IllegalArgumentException.class, () -> new SvgPlot("t", new SvgPlot.Axis("x", false),
                new SvgPlot.Axis("y", false)).series("s", new double[] {1}, new double[] {}));
    }
}
