package detect

import (
	"context"
	"image"

	"passport/verify/scan/imagedec"
	"passport/verify/scan/internal/qrtest"
	"passport/verify/scan/internal/raster"
	"passport/verify/scan/internal/work"
)

// The shared generators (package qrtest), under the names these tests use.
var (
	payload    = qrtest.Payload
	qrModules  = qrtest.Modules
	drawQR     = qrtest.Draw
	whiteGray  = qrtest.White
	renderQR   = qrtest.Render
	encodePNG  = qrtest.EncodePNG
	gaussNoise = qrtest.GaussNoise
)

// toGray converts an image to a plane.
func toGray(img image.Image) *raster.Gray {
	d := imagedec.FromImage(img)
	return raster.Wrap(d.Pix, d.Width, d.Height)
}

// unlimited is a budget for tests that must not stop early.
func unlimited() *work.Budget { return work.New(context.Background(), 1<<62, 1<<62) }
