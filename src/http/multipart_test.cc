#include "http/multipart.h"

#include <gtest/gtest.h>

namespace herald::http {
namespace {

TEST(Multipart, BoundaryFromTheContentType) {
  EXPECT_EQ(*MultipartBoundary("multipart/form-data; boundary=----WebKitFormBoundaryAbC"), "----WebKitFormBoundaryAbC");
  EXPECT_EQ(*MultipartBoundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b\""), "a b");
  EXPECT_FALSE(MultipartBoundary("application/x-www-form-urlencoded"));
  EXPECT_FALSE(MultipartBoundary("multipart/form-data"));
  EXPECT_FALSE(MultipartBoundary("multipart/form-data; boundary=" + std::string(71, 'x')));
  EXPECT_TRUE(IsMultipartFormData("multipart/form-data; boundary=x"));
  EXPECT_FALSE(IsMultipartFormData("multipart/mixed; boundary=x"));
}

TEST(Multipart, ATextFieldAndAFileAsChromiumSendsThem) {
  const std::string body =
      "------B\r\n"
      "Content-Disposition: form-data; name=\"csrf\"\r\n\r\n"
      "tok\r\n"
      "------B\r\n"
      "Content-Disposition: form-data; name=\"file\"; filename=\"subs.csv\"\r\n"
      "Content-Type: text/csv\r\n\r\n"
      "channel,address\r\nemail,a@example.com\r\n\r\n"
      "------B--\r\n";
  auto parts = ParseMultipart("----B", body);
  ASSERT_TRUE(parts) << parts.error().message;
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "csrf");
  EXPECT_FALSE((*parts)[0].is_file);
  EXPECT_EQ((*parts)[0].body, "tok");
  EXPECT_EQ((*parts)[1].name, "file");
  EXPECT_TRUE((*parts)[1].is_file);
  EXPECT_EQ((*parts)[1].filename, "subs.csv");
  EXPECT_EQ((*parts)[1].content_type, "text/csv");
  // The file's own line breaks, its last one included, are kept; only the delimiter's CRLF goes.
  EXPECT_EQ((*parts)[1].body, "channel,address\r\nemail,a@example.com\r\n");
  // The views point into the body: nothing was copied.
  EXPECT_GE((*parts)[1].body.data(), body.data());
  EXPECT_LE((*parts)[1].body.data() + (*parts)[1].body.size(), body.data() + body.size());
}

TEST(Multipart, PreambleEpilogueEmptyFileAndEscapedNames) {
  const std::string body =
      "ignored preamble\r\n--b\r\n"
      "content-disposition: form-data; name=\"a\\\"b\"; filename=\"\"\r\n\r\n"
      "\r\n--b  \r\n"
      "Content-Disposition: form-data; name=x\r\n\r\n"
      "--b is not a delimiter without CRLF before it\r\n--b--epilogue";
  auto parts = ParseMultipart("b", body);
  ASSERT_TRUE(parts) << parts.error().message;
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "a\"b");
  EXPECT_TRUE((*parts)[0].is_file);
  EXPECT_EQ((*parts)[0].body, "");
  EXPECT_EQ((*parts)[1].name, "x");
  EXPECT_EQ((*parts)[1].body, "--b is not a delimiter without CRLF before it");
}

TEST(Multipart, MalformedBodiesAreRefusedNamingTheBody) {
  const std::string ok_part = "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n";
  for (const std::string& body : {
           std::string(""),
           std::string("no boundary at all"),
           ok_part,                                                           // never closed
           ok_part + "--bX\r\n",                                              // not a delimiter line
           std::string("--b\r\nContent-Type: text/plain\r\n\r\nv\r\n--b--"),  // no disposition
           std::string("--b\r\nContent-Disposition: attachment; name=a\r\n\r\nv\r\n--b--"),
           std::string("--b\r\nContent-Disposition: form-data\r\n\r\nv\r\n--b--"),  // no name
           std::string("--b\r\nContent-Disposition: form-data; name=\"a\r\n\r\nv\r\n--b--"),
           std::string("--b\r\nContent-Disposition: form-data; name=a\r\n"),  // headers never end
           std::string("--b\r\nno colon\r\n\r\nv\r\n--b--"),
       }) {
    auto parts = ParseMultipart("b", body);
    EXPECT_FALSE(parts) << body;
    if (!parts) {
      EXPECT_EQ(parts.error().field, "body");
    }
  }
}

TEST(Multipart, LimitsOnPartsAndHeaders) {
  std::string body;
  for (int i = 0; i < 3; ++i) body += "--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nv\r\n";
  body += "--b--";
  EXPECT_TRUE(ParseMultipart("b", body, {3, 8192}));
  EXPECT_FALSE(ParseMultipart("b", body, {2, 8192}));
  EXPECT_FALSE(ParseMultipart("b", body, {3, 10}));
}

}  // namespace
}  // namespace herald::http
