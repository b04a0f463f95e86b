#!/usr/bin/env bash
# Regenerates the CSR fixtures in this folder: inputs that ParseCsr/VerifyCsr must refuse,
# each named by the one property that makes it bad, plus the valid requests they derive
# from. src/pki/csr_test.cc lists the outcome every file must produce (and fails when a
# file here is not listed). Needs openssl 3 and perl. Usage: tests/testdata/csr/make-fixtures.sh
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

subj=/CN=wott-fixture
ossl() { openssl "$@" 2>/dev/null; }
csr_with_key() {  # csr_with_key KEYFILE OUT.pem
  ossl req -new -key "$1" -subj "$subj" -out "$2"
}
to_der() { ossl req -in "$1" -outform DER -out "$2"; }
# perl does the byte surgery: binary-safe and always present on Debian (perl-base).
edit() {  # edit IN OUT PERL-EXPR  (the whole file is in $_)
  perl -0777 -pe "$3" <"$1" >"$2"
}

rm -f ./*.pem ./*.der

# Valid controls.
ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/p256.key"
ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/other.key"
ossl genpkey -algorithm ED25519 -out "$tmp/ed25519.key"
csr_with_key "$tmp/p256.key" valid_p256.pem
to_der valid_p256.pem valid_p256.der
sed 's/CERTIFICATE REQUEST/NEW CERTIFICATE REQUEST/' valid_p256.pem >valid_new_label.pem
csr_with_key "$tmp/ed25519.key" "$tmp/ed25519.pem"
to_der "$tmp/ed25519.pem" "$tmp/ed25519.der"

# Broken proof of possession.
edit valid_p256.der signature_last_byte_flipped.der 'substr($_, -1, 1) ^= "\x01"'
edit "$tmp/ed25519.der" signature_last_byte_flipped_ed25519.der 'substr($_, -1, 1) ^= "\x01"'
edit valid_p256.der subject_changed_after_signing.der 's/wott-fixture/wott-fixturf/'
ossl pkey -in "$tmp/p256.key" -pubout -outform DER -out "$tmp/p256.spki"
ossl pkey -in "$tmp/other.key" -pubout -outform DER -out "$tmp/other.spki"
perl -0777 -e '
  open my $f, "<", $ARGV[0] or die; my $csr = <$f>;
  open $f, "<", $ARGV[1] or die; my $old = <$f>;
  open $f, "<", $ARGV[2] or die; my $new = <$f>;
  my $at = index($csr, $old); die "SPKI not found" if $at < 0;
  substr($csr, $at, length $old) = $new; print $csr;
' valid_p256.der "$tmp/p256.spki" "$tmp/other.spki" >public_key_swapped.der

# Framing: DER.
edit valid_p256.der der_truncated_10_bytes.der 'substr($_, -10) = ""'
edit valid_p256.der der_trailing_zero_byte.der '$_ .= "\x00"'

# Framing: PEM.
edit valid_p256.pem pem_trailing_garbage.pem '$_ .= "garbage\n"'
edit valid_p256.pem pem_text_before_block.pem '$_ = "Certificate request:\n" . $_'
cat valid_p256.pem valid_p256.pem >pem_two_blocks.pem
edit valid_p256.pem pem_truncated_no_end_line.pem 's/-----END.*\n//'
edit valid_p256.pem pem_bad_base64.pem 's/^(-----BEGIN[^\n]*\n.{10})./$1!/'
edit valid_p256.pem pem_end_label_mismatch.pem 's/END CERTIFICATE REQUEST/END CERTIFICATE/'
sed 's/CERTIFICATE REQUEST/CERTIFICATE/' valid_p256.pem >pem_label_certificate.pem
edit valid_p256.pem pem_with_headers.pem \
  's/^(-----BEGIN[^\n]*\n)/$1Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n/'

# Well-formed and correctly signed, but the key is refused by policy.
ossl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:2048 -out "$tmp/dsa.params"
ossl genpkey -paramfile "$tmp/dsa.params" -out "$tmp/dsa.key"
csr_with_key "$tmp/dsa.key" key_dsa_2048.pem
ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$tmp/rsa1024.key"
csr_with_key "$tmp/rsa1024.key" key_rsa_1024.pem
ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp256k1 -out "$tmp/k1.key"
csr_with_key "$tmp/k1.key" key_ec_secp256k1.pem
ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out "$tmp/p521.key"
csr_with_key "$tmp/p521.key" key_ec_p521.pem
ossl ecparam -name prime256v1 -genkey -noout -param_enc explicit -out "$tmp/explicit.key"
csr_with_key "$tmp/explicit.key" key_ec_explicit_p256.pem

ls -1 ./*.pem ./*.der | wc -l | xargs echo "fixtures written:"
