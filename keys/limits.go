package keys

// Size limits for everything this package decodes. Each input is read through
// a limited reader first, so a wrong or hostile file costs at most this much
// memory and never reaches a parser in full.
const (
	// MaxKeyFileSize caps an encrypted issuer.key file. An age-encrypted
	// PKCS#8 P-256 key is about 500 bytes and an RSA-4096 key about 3.5 KiB;
	// 64 KiB leaves room for any key we might accept while refusing a
	// mistakenly chosen large file before decryption.
	MaxKeyFileSize = 64 << 10

	// maxScryptWorkFactor is the largest scrypt work factor (log2 N) accepted
	// when decrypting a key file. We write 18 (age's default); 20 allows a
	// key re-encrypted with a stronger setting while bounding the memory a
	// crafted file can demand (2^20 × 1 KiB = 1 GiB).
	maxScryptWorkFactor = 20

	// MinPassphraseChars is the shortest passphrase a new key is encrypted
	// with. scrypt makes each guess cost about a second, but a stolen
	// issuer.key can be attacked offline for as long as the thief likes:
	// twelve characters (three or four words) put it out of reach where
	// one, or three, did not.
	MinPassphraseChars = 12

	// MaxContactLen caps the issuer's contact file: the longest e-mail
	// address SMTP carries (RFC 5321), and about what fits beside the code
	// on the back of a card.
	MaxContactLen = 254
)
