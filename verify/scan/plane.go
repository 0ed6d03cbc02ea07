package scan

import (
	"image"

	"passport/verify/scan/imagedec"
	"passport/verify/scan/internal/raster"
)

// gray is the reader's luminance plane; its filters are raster's.
type gray = raster.Gray

// fromDec takes over imagedec's plane as a gray, without a copy.
func fromDec(d *imagedec.Gray) *gray { return raster.Wrap(d.Pix, d.Width, d.Height) }

// toGray converts any image to a luminance plane (imagedec.FromImage).
func toGray(img image.Image) *gray { return fromDec(imagedec.FromImage(img)) }
