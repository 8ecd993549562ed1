package browsertest

import (
	"image"
	"image/color"
	"testing"
)

// TestVariance: one colour is blank; text-like contrast is not.
func TestVariance(t *testing.T) {
	blank := image.NewGray(image.Rect(0, 0, 100, 100))
	for i := range blank.Pix {
		blank.Pix[i] = 255
	}
	if v := variance(blank); v > 1e-6 {
		t.Errorf("blank image variance %.1f, want 0", v)
	}
	text := image.NewGray(image.Rect(0, 0, 100, 100))
	for y := range 100 {
		for x := range 100 {
			c := uint8(255)
			if (x/3+y/5)%4 == 0 {
				c = 0
			}
			text.Set(x, y, color.Gray{Y: c})
		}
	}
	if v := variance(text); v < minVariance {
		t.Errorf("text-like image variance %.1f, want at least %d", v, minVariance)
	}
}
