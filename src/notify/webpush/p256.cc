#include "notify/webpush/p256.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

namespace herald::notify::webpush {
namespace {

constexpr char kGroupName[] = "prime256v1";

template <typename T, void (*F)(T*)>
struct Free {
  void operator()(T* p) const { F(p); }
};
using BnPtr = std::unique_ptr<BIGNUM, Free<BIGNUM, BN_clear_free>>;
using GroupPtr = std::unique_ptr<EC_GROUP, Free<EC_GROUP, EC_GROUP_free>>;
using PointPtr = std::unique_ptr<EC_POINT, Free<EC_POINT, EC_POINT_free>>;
using CtxPtr = std::unique_ptr<EVP_PKEY_CTX, Free<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using BldPtr = std::unique_ptr<OSSL_PARAM_BLD, Free<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Free<OSSL_PARAM, OSSL_PARAM_free>>;

const unsigned char* Bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

Result<Pkey> FromData(const OSSL_PARAM* params, int selection) {
  CtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, selection, const_cast<OSSL_PARAM*>(params)) <= 0) {
    // Bad keys come from the public: leave no stale entries in this thread's OpenSSL error
    // queue for an unrelated later caller (a TLS handshake, say) to misreport.
    ERR_clear_error();
    return Error::Invalid("", "not a valid P-256 key");
  }
  return Pkey(raw);
}

}  // namespace

void PkeyDeleter::operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }

Result<Pkey> P256Generate() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (!key) return Error::Internal("P-256 key generation failed");
  return Pkey(key);
}

Result<Pkey> P256FromPublic(std::string_view point) {
  if (point.size() != kP256PublicSize || point[0] != 0x04)
    return Error::Invalid("", "must be an uncompressed P-256 point (65 bytes starting with 0x04)");
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(kGroupName), 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, const_cast<char*>(point.data()), point.size()),
      OSSL_PARAM_construct_end(),
  };
  auto key = FromData(params, EVP_PKEY_PUBLIC_KEY);
  if (!key) return Error::Invalid("", "is not a point on the P-256 curve");
  // Importing already decodes the point; the explicit check documents that it must lie on the curve.
  CtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key->get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    ERR_clear_error();
    return Error::Invalid("", "is not a point on the P-256 curve");
  }
  return key;
}

Result<Pkey> P256FromPrivate(std::string_view scalar) {
  if (scalar.size() != kP256PrivateSize) return Error::Invalid("", "must be a 32-byte P-256 private key");
  GroupPtr group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
  BnPtr d(BN_bin2bn(Bytes(scalar), static_cast<int>(scalar.size()), nullptr));
  if (!group || !d) return Error::Internal("out of memory");
  if (BN_is_zero(d.get()) || BN_cmp(d.get(), EC_GROUP_get0_order(group.get())) >= 0)
    return Error::Invalid("", "is not a valid P-256 private key");
  PointPtr pub(EC_POINT_new(group.get()));
  unsigned char point[kP256PublicSize];
  if (!pub || EC_POINT_mul(group.get(), pub.get(), d.get(), nullptr, nullptr, nullptr) != 1 ||
      EC_POINT_point2oct(group.get(), pub.get(), POINT_CONVERSION_UNCOMPRESSED, point, sizeof point, nullptr) !=
          sizeof point)
    return Error::Internal("P-256 public key derivation failed");
  BldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, kGroupName, 0) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point) != 1)
    return Error::Internal("out of memory");
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return Error::Internal("out of memory");
  return FromData(params.get(), EVP_PKEY_KEYPAIR);
}

std::string P256PublicBytes(const EVP_PKEY* key) {
  std::string out(kP256PublicSize, '\0');
  size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
                                      reinterpret_cast<unsigned char*>(out.data()), out.size(), &len) != 1 ||
      len != kP256PublicSize || out[0] != 0x04)
    return {};
  return out;
}

std::string P256PrivateBytes(const EVP_PKEY* key) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &raw) != 1) return {};
  BnPtr d(raw);
  std::string out(kP256PrivateSize, '\0');
  if (BN_bn2binpad(d.get(), reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size())) !=
      static_cast<int>(out.size()))
    return {};
  return out;
}

Result<std::string> P256Ecdh(EVP_PKEY* private_key, EVP_PKEY* peer_public) {
  CtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, private_key, nullptr));
  std::string secret(32, '\0');
  size_t len = secret.size();
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) <= 0 || EVP_PKEY_derive_set_peer(ctx.get(), peer_public) <= 0 ||
      EVP_PKEY_derive(ctx.get(), reinterpret_cast<unsigned char*>(secret.data()), &len) <= 0 || len != 32)
    return Error::Internal("ECDH failed");
  return secret;
}

}  // namespace herald::notify::webpush
