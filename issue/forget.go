package issue

import (
	"context"
	"fmt"
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
	_, err = conn.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return rep, err
}

func rowsAffected(res interface{ RowsAffected() (int64, error) }) int {
	n, _ := res.RowsAffected()
	return int(n)
}
