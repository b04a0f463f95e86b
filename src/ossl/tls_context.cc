#include "ossl/tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include <climits>

#include "base/file.h"
#include "ossl/error.h"

namespace wott::ossl {
namespace {

// Mozilla "intermediate" minus DHE: forward secrecy and AEAD only.
constexpr std::string_view kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* kGroups = "X25519:P-256:P-384";
// Binds resumed sessions to this application (OpenSSL refuses to resume a session with
// client verification on when it is unset).
constexpr std::string_view kSessionIdContext = "wott";
// PEM inputs are small; anything larger is a mistake (a wrong file).
constexpr size_t kMaxPemBytes = 1024 * 1024;

// Refuses to decrypt: a passphrase prompt on the terminal would hang a daemon.
int NoPassphrase(char*, int, int, void*) { return -1; }

bool IsEndOfPem(unsigned long err) {
  return ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE;
}

// The PEM text from the string or the file, whichever is set; "" when neither.
Result<std::string> PemInput(const std::string& pem, const std::filesystem::path& file,
                             std::string_view what) {
  if (!pem.empty() && !file.empty()) {
    return InvalidArgument(std::string(what) + ": give either PEM text or a file, not both");
  }
  if (file.empty()) return pem;
  Result<std::string> data = ReadFile(file, kMaxPemBytes);
  if (!data.ok()) return data.status().WithContext(what);
  if (data->empty()) return InvalidArgument(std::string(what) + ": " + file.string() + " is empty");
  return data;
}

Result<UniquePtr<BIO>> MemoryBio(std::string_view data) {
  if (data.size() > INT_MAX) return InvalidArgument("PEM input too large");
  UniquePtr<BIO> bio = Own(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
  if (bio == nullptr) return ErrorStatus(StatusCode::kInternal, "out of memory");
  return bio;
}

// Every CERTIFICATE block in `pem`, in order; other blocks (a key in combined.pem) are
// skipped.
Result<std::vector<UniquePtr<X509>>> ParseCertificates(std::string_view pem,
                                                       std::string_view what) {
  ERR_clear_error();
  ASSIGN_OR_RETURN(UniquePtr<BIO> bio, MemoryBio(pem));
  std::vector<UniquePtr<X509>> certs;
  for (;;) {
    UniquePtr<X509> cert = Own(PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr));
    if (cert == nullptr) break;
    certs.push_back(std::move(cert));
  }
  unsigned long err = ERR_peek_last_error();
  if (err != 0 && !IsEndOfPem(err)) {
    return ErrorStatus(StatusCode::kInvalidArgument, "malformed PEM in " + std::string(what));
  }
  ERR_clear_error();
  if (certs.empty()) {
    return InvalidArgument("no certificate found in " + std::string(what));
  }
  return certs;
}

Result<UniquePtr<EVP_PKEY>> ParsePrivateKey(std::string_view pem) {
  if (pem.find("ENCRYPTED") != std::string_view::npos) {
    return InvalidArgument("the private key is encrypted; give an unencrypted key");
  }
  ERR_clear_error();
  ASSIGN_OR_RETURN(UniquePtr<BIO> bio, MemoryBio(pem));
  UniquePtr<EVP_PKEY> key = Own(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  if (key == nullptr) {
    // OpenSSL 3's decoders do not say "no PEM block" reliably; look for one ourselves.
    if (pem.find("PRIVATE KEY-----") == std::string_view::npos) {
      ERR_clear_error();
      return InvalidArgument("no private key found in the private key PEM");
    }
    return ErrorStatus(StatusCode::kInvalidArgument, "malformed private key PEM");
  }
  ERR_clear_error();
  return key;
}

Status ApplyPolicy(SSL_CTX* ctx) {
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(ctx, std::string(kTls12Ciphers).c_str()) != 1 ||
      SSL_CTX_set1_groups_list(ctx, kGroups) != 1) {
    return ErrorStatus(StatusCode::kInternal, "cannot apply the TLS policy");
  }
  SSL_CTX_set_options(
      ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  return Status::Ok();
}

Status UseCredentials(SSL_CTX* ctx, const TlsContextOptions& options) {
  ASSIGN_OR_RETURN(
      std::string chain_pem,
      PemInput(options.certificate_chain_pem, options.certificate_chain_file, "certificate chain"));
  ASSIGN_OR_RETURN(std::string key_pem,
                   PemInput(options.private_key_pem, options.private_key_file, "private key"));
  if (chain_pem.empty() && key_pem.empty()) {
    if (options.role == TlsRole::kServer) {
      return InvalidArgument("a TLS server needs a certificate chain and a private key");
    }
    return Status::Ok();  // a client without a client certificate
  }
  if (chain_pem.empty()) return InvalidArgument("a private key was given without a certificate");
  if (key_pem.empty()) return InvalidArgument("a certificate was given without its private key");

  ASSIGN_OR_RETURN(std::vector<UniquePtr<X509>> chain,
                   ParseCertificates(chain_pem, "the certificate chain"));
  ASSIGN_OR_RETURN(UniquePtr<EVP_PKEY> key, ParsePrivateKey(key_pem));
  if (SSL_CTX_use_certificate(ctx, chain[0].get()) != 1) {
    return ErrorStatus(StatusCode::kInvalidArgument, "the certificate cannot be used for TLS");
  }
  for (size_t i = 1; i < chain.size(); ++i) {
    // add1: the context takes its own reference.
    if (SSL_CTX_add1_chain_cert(ctx, chain[i].get()) != 1) {
      return ErrorStatus(StatusCode::kInvalidArgument, "an intermediate cannot be used for TLS");
    }
  }
  if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    return ErrorStatus(StatusCode::kInvalidArgument,
                       "the private key does not match the certificate");
  }
  return Status::Ok();
}

Status UseTrustAnchors(SSL_CTX* ctx, const TlsContextOptions& options) {
  ASSIGN_OR_RETURN(std::string pem, PemInput(options.trust_anchors_pem, options.trust_anchors_file,
                                             "trust anchors"));
  if (pem.empty()) {
    if (options.peer_verification != PeerVerification::kNone) {
      return InvalidArgument("verifying the peer needs trust anchors (a CA bundle)");
    }
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(std::vector<UniquePtr<X509>> anchors,
                   ParseCertificates(pem, "the trust anchors"));
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);  // borrowed
  for (const UniquePtr<X509>& anchor : anchors) {
    if (X509_STORE_add_cert(store, anchor.get()) != 1) {
      unsigned long err = ERR_peek_last_error();
      if (ERR_GET_REASON(err) != X509_R_CERT_ALREADY_IN_HASH_TABLE) {
        return ErrorStatus(StatusCode::kInvalidArgument, "a trust anchor cannot be used");
      }
      ERR_clear_error();
      continue;
    }
    if (options.role == TlsRole::kServer && options.advertise_ca_names &&
        SSL_CTX_add_client_CA(ctx, anchor.get()) != 1) {
      return ErrorStatus(StatusCode::kInternal, "cannot advertise a CA name");
    }
  }
  SSL_CTX_set_verify_depth(ctx, options.verify_depth);
  return Status::Ok();
}

void SetVerifyMode(SSL_CTX* ctx, const TlsContextOptions& options) {
  int mode = SSL_VERIFY_NONE;
  switch (options.peer_verification) {
    case PeerVerification::kNone:
      break;
    case PeerVerification::kOptional:
      mode = SSL_VERIFY_PEER;
      break;
    case PeerVerification::kRequired:
      mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
      break;
  }
  SSL_CTX_set_verify(ctx, mode, nullptr);
}

Status ConfigureSessions(SSL_CTX* ctx, const TlsContextOptions& options) {
  if (options.role != TlsRole::kServer) return Status::Ok();
  if (!options.session_resumption) {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    SSL_CTX_set_num_tickets(ctx, 0);
    return Status::Ok();
  }
  const auto* id = reinterpret_cast<const unsigned char*>(kSessionIdContext.data());
  if (SSL_CTX_set_session_id_context(ctx, id, kSessionIdContext.size()) != 1) {
    return ErrorStatus(StatusCode::kInternal, "cannot set the session id context");
  }
  SSL_CTX_set_timeout(ctx, static_cast<long>(options.session_lifetime.count()));
  SSL_CTX_set_num_tickets(ctx, 1);  // one per handshake is enough for non-browser clients
  return Status::Ok();
}

}  // namespace

std::string_view Tls12CipherList() { return kTls12Ciphers; }

Result<UniquePtr<SSL_CTX>> BuildTlsContext(const TlsContextOptions& options) {
  const SSL_METHOD* method =
      options.role == TlsRole::kServer ? TLS_server_method() : TLS_client_method();
  UniquePtr<SSL_CTX> ctx = Own(SSL_CTX_new(method));
  if (ctx == nullptr) return ErrorStatus(StatusCode::kInternal, "cannot create a TLS context");
  RETURN_IF_ERROR(ApplyPolicy(ctx.get()));
  RETURN_IF_ERROR(UseCredentials(ctx.get(), options));
  RETURN_IF_ERROR(UseTrustAnchors(ctx.get(), options));
  SetVerifyMode(ctx.get(), options);
  RETURN_IF_ERROR(ConfigureSessions(ctx.get(), options));
  return ctx;
}

Result<UniquePtr<SSL>> NewConnection(SSL_CTX* ctx) {
  UniquePtr<SSL> ssl = Own(SSL_new(ctx));
  if (ssl == nullptr) return ErrorStatus(StatusCode::kInternal, "cannot create a TLS connection");
  return ssl;
}

Status SetExpectedPeerName(SSL* ssl, std::string_view name) {
  if (name.empty()) return InvalidArgument("the expected server name is empty");
  std::string host(name);
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);  // borrowed
  // An IP address literal is checked against IP SANs and is never sent as SNI.
  if (X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1) return Status::Ok();
  ERR_clear_error();
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size()) != 1 ||
      SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) {
    return ErrorStatus(StatusCode::kInvalidArgument, "invalid server name '" + host + "'");
  }
  return Status::Ok();
}

std::vector<UniquePtr<X509>> VerifiedPeerChain(const SSL* ssl) {
  std::vector<UniquePtr<X509>> out;
  X509* leaf = SSL_get0_peer_certificate(ssl);  // borrowed
  if (leaf == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) return out;
  // A server that did not ask for a certificate has verify mode NONE: nothing was checked.
  if ((SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER) == 0) return out;
  STACK_OF(X509)* chain = SSL_get0_verified_chain(ssl);  // borrowed; unset when resumed
  if (chain != nullptr && sk_X509_num(chain) > 0) {
    for (int i = 0; i < sk_X509_num(chain); ++i) out.push_back(UpRef(sk_X509_value(chain, i)));
    return out;
  }
  out.push_back(UpRef(leaf));
  // On the server side the sent chain excludes the leaf; on the client side it includes it.
  STACK_OF(X509)* sent = SSL_get_peer_cert_chain(ssl);  // borrowed
  for (int i = 0; sent != nullptr && i < sk_X509_num(sent); ++i) {
    X509* cert = sk_X509_value(sent, i);
    if (X509_cmp(cert, leaf) != 0) out.push_back(UpRef(cert));
  }
  return out;
}

std::string VerifyFailureReason(const SSL* ssl) {
  long result = SSL_get_verify_result(ssl);
  if (result == X509_V_OK) return "";
  return X509_verify_cert_error_string(result);
}

std::string_view ProtocolVersion(const SSL* ssl) { return SSL_get_version(ssl); }

std::string SubjectCommonName(const X509* cert) {
  const X509_NAME* name = X509_get_subject_name(cert);  // borrowed
  int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (index < 0) return "";
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, data);
  if (len < 0) {
    ERR_clear_error();
    return "";
  }
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

}  // namespace wott::ossl
