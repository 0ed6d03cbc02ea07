package issue

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"
)

// ForgetReport says what Forget removed from the register.
type ForgetReport struct {
	// TextsCleared is how many signed credential texts of finished batches
	// were cleared. Their id, staff number, name, dates and status stay, so
	// HR can still find and revoke them.
	TextsCleared int
	// TextsKept is how many texts stay because their batch is unfinished:
	// --resume needs them to print those passports again without signing
	// second ones.
	TextsKept int
	// Deleted is how many credentials, expired before the date given,
	// were removed whole.
	Deleted int
}

// Forget removes personal data the register no longer needs. The signed
// text of every credential in a finished batch (it holds the person's date
// of birth, checks and training, and is kept only so an interrupted batch
// can be printed again) is cleared. When expiredBefore is not zero,
// credentials that expired before it are deleted whole: an expired passport
// no longer verifies, so there is nothing left to revoke. expiredBefore
// must not be after now, since a passport that has not expired may still
// need revoking.
//
// Deleted rows are overwritten on disk (secure_delete), the file is
// rebuilt (VACUUM) and its write-ahead log truncated, so the data does not
// linger in free pages.
func (r *Register) Forget(ctx context.Context, expiredBefore, now time.Time) (ForgetReport, error) {
	var rep ForgetReport
	if expiredBefore.After(now) {
		return rep, fmt.Errorf("%s is in the future: a passport that has not expired may still need revoking, so only credentials expired before today can be deleted", expiredBefore.Format("2006-01-02"))
	}
	conn, err := r.db.Conn(ctx)
	if err != nil {
		return rep, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA secure_delete=ON`); err != nil {
		return rep, err
	}
	// Hold the file alone until the end: a reader's snapshot (another
	// 'passport register', a backup, a database browser) keeps the old
	// pages, texts and all, in the file until it closes, so forgetting
	// while one is open would report success and clear nothing on disk.
	if err := r.holdExclusive(ctx, conn); err != nil {
		return rep, err
	}
	defer conn.ExecContext(context.Background(), `PRAGMA locking_mode=NORMAL`)
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return rep, err
	}
	defer tx.Rollback()
	if !expiredBefore.IsZero() {
		res, err := tx.ExecContext(ctx, `DELETE FROM credentials WHERE expires < ?`, expiredBefore.UTC().Format(timeFmt))
		if err != nil {
			return rep, err
		}
		rep.Deleted = rowsAffected(res)
	}
	res, err := tx.ExecContext(ctx, `UPDATE credentials SET text='' WHERE text<>''
		AND batch_id IN (SELECT id FROM batches WHERE finished IS NOT NULL)`)
	if err != nil {
		return rep, err
	}
	rep.TextsCleared = rowsAffected(res)
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM credentials WHERE text<>''`).Scan(&rep.TextsKept); err != nil {
		return rep, err
	}
	if err := tx.Commit(); err != nil {
		return rep, err
	}
	if _, err := conn.ExecContext(ctx, `VACUUM`); err != nil {
		return rep, fmt.Errorf("the data is removed but the file could not be rebuilt (VACUUM): %w; run the command again", err)
	}
	var busy, logPages, moved int
	if err := conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logPages, &moved); err != nil {
		return rep, err
	}
	if busy != 0 {
		return rep, fmt.Errorf("the data is removed but another program still reads an older copy of it from %s: close it and run forget again", r.path)
	}
	return rep, r.checkTextsGone(rep.TextsKept)
}

// holdExclusive takes the register for this connection alone, or says
// who to close: in WAL mode every open connection holds the file shared,
// so the exclusive lock waits (the busy timeout) and then fails.
func (r *Register) holdExclusive(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, `PRAGMA locking_mode=EXCLUSIVE`); err != nil {
		return err
	}
	tx, err := conn.BeginTx(ctx, nil) // immediate: takes the lock now
	if err == nil {
		_, err = tx.ExecContext(ctx, `UPDATE batches SET runs=runs WHERE 0`)
		if err == nil {
			err = tx.Commit()
		} else {
			tx.Rollback()
		}
	}
	if err != nil {
		conn.ExecContext(context.Background(), `PRAGMA locking_mode=NORMAL`)
		return fmt.Errorf("another program has the register %s open (%v): close it (another 'passport register' or 'passport issue', a backup, a database browser) and run forget again; nothing was changed", r.path, err)
	}
	return nil
}

// checkTextsGone reads the register's files as bytes, every page, and
// fails if more signed texts (SP1:...) are in them than the unfinished
// batches keep: a cleared text still in a free page, an old copy in the
// WAL, would otherwise survive a reported success.
func (r *Register) checkTextsGone(kept int) error {
	found := 0
	for _, p := range []string{r.path, r.path + "-wal", r.path + "-journal"} {
		n, err := countInFile(p, []byte("SP1:"))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("checking the register's bytes: %w", err)
		}
		found += n
	}
	if found > kept {
		return fmt.Errorf("%d signed texts are still in the bytes of %s but %d should be: run forget again once no other program has the file open", found, r.path, kept)
	}
	return nil
}

// countInFile counts the occurrences of needle in the file at path,
// reading it in blocks (a register of a whole care system is hundreds of MB).
func countInFile(path string, needle []byte) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	carry := 0 // bytes kept from the previous block, so a match across blocks is seen
	n := 0
	for {
		m, err := io.ReadFull(f, buf[carry:])
		data := buf[:carry+m]
		n += bytes.Count(data, needle)
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		carry = copy(buf, data[len(data)-(len(needle)-1):])
	}
}

func rowsAffected(res interface{ RowsAffected() (int64, error) }) int {
	n, _ := res.RowsAffected()
	return int(n)
}
