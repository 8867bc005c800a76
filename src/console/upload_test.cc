#include "console/upload.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

namespace herald::console {
namespace {

const std::string kBody =
    "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ntoken-1\r\n"
    "--XyZ\r\nContent-Disposition: form-data; name=\"page\"\r\n\r\nacme\r\n"
    "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"s.csv\"\r\nContent-Type: text/csv\r\n\r\n"
    "channel,address\nemail,a@example.com\n\r\n--XyZ--\r\n";

http::Request Multipart() {
  http::Request r;
  r.method = "POST";
  r.headers = {{"content-type", "multipart/form-data; boundary=XyZ"}};
  r.body = kBody;
  return r;
}

TEST(ConsoleUpload, FormFieldsOfEitherEncodingFilesLeftOut) {
  const Form f = ParsePostForm(Multipart());
  EXPECT_EQ(Field(f, "csrf"), "token-1");
  EXPECT_EQ(Field(f, "page"), "acme");
  EXPECT_EQ(f.count("file"), 0u);
  http::Request urlencoded;
  urlencoded.headers = {{"content-type", "application/x-www-form-urlencoded"}};
  urlencoded.body = "csrf=t&action=delete";
  EXPECT_EQ(Field(ParsePostForm(urlencoded), "action"), "delete");
  // A malformed multipart body has no fields, so its CSRF check fails.
  http::Request broken = Multipart();
  broken.body = kBody.substr(0, 40);
  EXPECT_TRUE(ParsePostForm(broken).empty());
}

TEST(ConsoleUpload, ASpooledBodyIsReadInPlaceFromItsFile) {
  http::Request r = Multipart();
  r.body.clear();
  const int fd = ::memfd_create("upload", 0);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, kBody.data(), kBody.size()), static_cast<ssize_t>(kBody.size()));
  r.body_file = std::make_shared<const http::SharedFd>(fd);
  r.body_file_bytes = kBody.size();
  auto upload = ParseUpload(r);
  ASSERT_TRUE(upload) << upload.error().message;
  const http::MultipartPart* file = upload->File("file");
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->filename, "s.csv");
  EXPECT_EQ(file->body, "channel,address\nemail,a@example.com\n");
  EXPECT_EQ(upload->File("csrf"), nullptr);  // a text field, not a file
  EXPECT_EQ(Field(ParsePostForm(r), "csrf"), "token-1");
}

TEST(ConsoleUpload, OnlyTheImportTakesALargeBodyIntoAFile) {
  const http::BodyRule rule = UploadBodyRule("POST", "/admin/subscribers/import?page=acme");
  EXPECT_TRUE(rule.to_file);
  EXPECT_EQ(rule.max_bytes, kMaxImportUploadBytes);
  EXPECT_FALSE(UploadBodyRule("GET", "/admin/subscribers/import").to_file);
  EXPECT_FALSE(UploadBodyRule("POST", "/admin/settings").to_file);
  EXPECT_EQ(UploadBodyRule("POST", "/admin/subscribers").max_bytes, 0u);
}

}  // namespace
}  // namespace herald::console
