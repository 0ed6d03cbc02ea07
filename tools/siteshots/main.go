// Command siteshots takes the site guide's screenshots of a running station
// with headless Chromium: the page as it opens, and the result after a
// passport's text is typed into it as a USB scanner types it.
//
//	siteshots -url http://127.0.0.1:8080/ -code code.txt -out docs/site-guide
//
// It only talks to the loopback station it is given.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"passport/internal/browser"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080/", "the station page (loopback)")
	code := flag.String("code", "", "file whose first line is a passport's text (from passport scan)")
	out := flag.String("out", "docs/site-guide", "directory for the PNG files")
	chromium := flag.String("chromium", "/usr/bin/chromium", "Chromium to drive")
	flag.Parse()
	if err := run(*url, *code, *out, *chromium); err != nil {
		fmt.Fprintf(os.Stderr, "siteshots: error: %v\n", err)
		os.Exit(1)
	}
}

func run(url, codeFile, out, chromium string) error {
	if _, err := browser.Command("linux", "", url); err != nil {
		return err
	}
	b, err := os.ReadFile(codeFile)
	if err != nil {
		return fmt.Errorf("-code: %v", err)
	}
	text := strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0])
	profile, err := os.MkdirTemp("", "siteshots-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(profile)
	actx, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium), chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(profile), chromedp.WindowSize(1280, 720))
	defer cancel()
	ctx, cancel2 := chromedp.NewContext(actx)
	defer cancel2()
	ctx, cancel3 := context.WithTimeout(ctx, 90*time.Second)
	defer cancel3()
	shot := func(name string) chromedp.Action {
		return chromedp.ActionFunc(func(ctx context.Context) error {
			var png []byte
			if err := chromedp.Run(ctx, chromedp.Sleep(300*time.Millisecond), chromedp.CaptureScreenshot(&png)); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(out, name), png, 0o644)
		})
	}
	return chromedp.Run(ctx,
		chromedp.Navigate(url), chromedp.WaitVisible("#scan", chromedp.ByID), shot("station-ready.png"),
		chromedp.KeyEvent(text+"\r"), chromedp.WaitVisible("#result .verdict", chromedp.ByQuery), shot("station-valid.png"))
}
