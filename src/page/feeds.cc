#include "page/feeds.h"

#include <algorithm>

#include "core/text.h"
#include "core/time.h"
#include "page/markdown.h"

namespace herald::page {
namespace {

constexpr size_t kMaxFeedEntries = 50;  // feed readers only need the recent past

TimeMs StartOf(const model::Incident& i) {
  if (i.scheduled_for) return *i.scheduled_for;
  return i.started_at > 0 ? i.started_at : i.created_at;
}

TimeMs LastUpdateOf(const model::Incident& i) {
  TimeMs t = std::max(i.updated_at, StartOf(i));
  for (const auto& u : i.updates)
    if (!u.internal) t = std::max(t, u.display_at);
  return t;
}

std::string SiteUrl(const SiteInput& in) { return in.public_url + in.base_path; }
std::string IncidentUrl(const SiteInput& in, const model::Incident& i) {
  return SiteUrl(in) + "incidents/" + i.id + ".html";
}
std::string Zone(const SiteInput& in) { return IsValidTimeZone(in.page.time_zone) ? in.page.time_zone : "UTC"; }

// The incident's public timeline as an HTML fragment (escaped again by the caller for XML).
std::string TimelineHtml(const SiteInput& in, const model::Incident& i) {
  std::string html;
  for (const auto& u : i.updates) {
    if (u.internal) continue;
    html += "<p><small>" + HtmlEscape(FormatInZone(u.display_at, Zone(in), "%b %d, %H:%M %Z")) +
            "</small><br><strong>" + HtmlEscape(model::Label(u.status)) + "</strong></p>" + RenderMarkdown(u.body);
  }
  if (i.scheduled_for) {
    html += "<p>Scheduled for " + HtmlEscape(FormatInZone(*i.scheduled_for, Zone(in), "%b %d, %Y %H:%M %Z"));
    if (i.scheduled_until)
      html += " until " + HtmlEscape(FormatInZone(*i.scheduled_until, Zone(in), "%b %d, %Y %H:%M %Z"));
    html += "</p>";
  }
  return html;
}

std::vector<const model::Incident*> Recent(const SiteInput& in) {
  std::vector<const model::Incident*> v;
  for (const auto& i : in.incidents) v.push_back(&i);
  std::stable_sort(v.begin(), v.end(),
                   [](const auto* a, const auto* b) { return LastUpdateOf(*a) > LastUpdateOf(*b); });
  if (v.size() > kMaxFeedEntries) v.resize(kMaxFeedEntries);
  return v;
}

std::string Rfc3339(TimeMs t) { return FormatIso8601(t); }  // RFC 3339 allows the milliseconds

}  // namespace

std::string XmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') continue;  // not allowed in XML 1.0
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += ch;
    }
  }
  return out;
}

std::string IcsEscape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    char ch = s[i];
    switch (ch) {
      case '\\': out += "\\\\"; break;
      case ';': out += "\\;"; break;
      case ',': out += "\\,"; break;
      case '\r':
        if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
        out += "\\n";
        break;
      case '\n': out += "\\n"; break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20 && ch != '\t') break;  // controls are not TEXT
        out += ch;
    }
  }
  return out;
}

std::string IcsFoldLine(std::string_view line) {
  std::string out;
  size_t limit = 75;  // octets on the first line; continuation lines start with a space
  size_t used = 0;
  for (size_t i = 0; i < line.size();) {
    size_t len = 1;
    unsigned char c = static_cast<unsigned char>(line[i]);
    if (c >= 0xF0)
      len = 4;
    else if (c >= 0xE0)
      len = 3;
    else if (c >= 0xC0)
      len = 2;
    len = std::min(len, line.size() - i);
    if (used + len > limit) {
      out += "\r\n ";
      used = 1;
    }
    out.append(line.substr(i, len));
    used += len;
    i += len;
  }
  out += "\r\n";
  return out;
}

std::string RenderAtom(const SiteInput& in) {
  std::string x =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\">\n";
  TimeMs updated = in.now;
  auto recent = Recent(in);
  if (!recent.empty()) updated = LastUpdateOf(*recent.front());
  x += "  <id>" + XmlEscape(SiteUrl(in) + "history.atom") + "</id>\n";
  x += "  <title>" + XmlEscape(in.page.name + " Status - Incident history") + "</title>\n";
  x += "  <updated>" + Rfc3339(updated) + "</updated>\n";
  x += "  <link rel=\"alternate\" type=\"text/html\" href=\"" + XmlEscape(SiteUrl(in)) + "\"/>\n";
  x +=
      "  <link rel=\"self\" type=\"application/atom+xml\" href=\"" + XmlEscape(SiteUrl(in) + "history.atom") + "\"/>\n";
  x += "  <author><name>" + XmlEscape(in.page.name) + "</name></author>\n";
  x += "  <generator>Herald</generator>\n";
  for (const auto* i : recent) {
    x += "  <entry>\n";
    x += "    <id>" + XmlEscape(IncidentUrl(in, *i)) + "</id>\n";
    x += "    <published>" + Rfc3339(StartOf(*i)) + "</published>\n";
    x += "    <updated>" + Rfc3339(LastUpdateOf(*i)) + "</updated>\n";
    x += "    <link rel=\"alternate\" type=\"text/html\" href=\"" + XmlEscape(IncidentUrl(in, *i)) + "\"/>\n";
    x += "    <title>" + XmlEscape(i->name) + "</title>\n";
    x += "    <content type=\"html\">" + XmlEscape(TimelineHtml(in, *i)) + "</content>\n";
    x += "  </entry>\n";
  }
  x += "</feed>\n";
  return x;
}

std::string RenderRss(const SiteInput& in) {
  std::string x =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" "
      "xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n";
  x += "  <title>" + XmlEscape(in.page.name + " Status - Incident history") + "</title>\n";
  x += "  <link>" + XmlEscape(SiteUrl(in)) + "</link>\n";
  x += "  <description>" + XmlEscape("Statuspage for " + in.page.name) + "</description>\n";
  x += "  <language>en</language>\n";
  x += "  <lastBuildDate>" + FormatHttpDate(in.now) + "</lastBuildDate>\n";
  x += "  <atom:link href=\"" + XmlEscape(SiteUrl(in) + "history.rss") +
       "\" rel=\"self\" type=\"application/rss+xml\"/>\n";
  for (const auto* i : Recent(in)) {
    x += "  <item>\n";
    x += "    <title>" + XmlEscape(i->name) + "</title>\n";
    x += "    <link>" + XmlEscape(IncidentUrl(in, *i)) + "</link>\n";
    x += "    <guid isPermaLink=\"true\">" + XmlEscape(IncidentUrl(in, *i)) + "</guid>\n";
    x += "    <pubDate>" + FormatHttpDate(LastUpdateOf(*i)) + "</pubDate>\n";
    x += "    <description>" + XmlEscape(TimelineHtml(in, *i)) + "</description>\n";
    x += "  </item>\n";
  }
  x += "</channel>\n</rss>\n";
  return x;
}

std::string RenderIcs(const SiteInput& in) {
  std::string host = in.public_url;
  if (auto p = host.find("://"); p != std::string::npos) host = host.substr(p + 3);
  if (auto p = host.find_first_of("/:"); p != std::string::npos) host = host.substr(0, p);
  if (host.empty()) host = "herald";

  std::string ics;
  ics += IcsFoldLine("BEGIN:VCALENDAR");
  ics += IcsFoldLine("VERSION:2.0");
  ics += IcsFoldLine("PRODID:-//Herald//Status page//EN");
  ics += IcsFoldLine("CALSCALE:GREGORIAN");
  ics += IcsFoldLine("METHOD:PUBLISH");
  ics += IcsFoldLine("X-WR-CALNAME:" + IcsEscape(in.page.name + " scheduled maintenance"));
  for (const auto& i : in.incidents) {
    if (!i.scheduled_for) continue;
    TimeMs end = i.scheduled_until.value_or(*i.scheduled_for + 3600 * 1000);
    std::string description;
    for (const auto& u : i.updates) {
      if (u.internal) continue;
      // The newest public update says what is planned. Plain text: calendar clients may render
      // DESCRIPTION as HTML, so the writer's tags go (their text stays).
      description = MarkdownToPlainText(u.body, RawHtml::kDropTags);
      break;
    }
    ics += IcsFoldLine("BEGIN:VEVENT");
    ics += IcsFoldLine("UID:" + IcsEscape(i.id + "@" + host));
    ics += IcsFoldLine("DTSTAMP:" + FormatIcalUtc(LastUpdateOf(i)));
    ics += IcsFoldLine("DTSTART:" + FormatIcalUtc(*i.scheduled_for));
    ics += IcsFoldLine("DTEND:" + FormatIcalUtc(std::max(end, *i.scheduled_for)));
    ics += IcsFoldLine("SUMMARY:" + IcsEscape(i.name));
    if (!description.empty()) ics += IcsFoldLine("DESCRIPTION:" + IcsEscape(description));
    ics += IcsFoldLine("URL:" + IncidentUrl(in, i));
    ics += IcsFoldLine(std::string("STATUS:") + (i.status == model::IncidentStatus::kScheduled ||
                                                         i.status == model::IncidentStatus::kInProgress ||
                                                         i.status == model::IncidentStatus::kVerifying ||
                                                         i.status == model::IncidentStatus::kCompleted
                                                     ? "CONFIRMED"
                                                     : "CANCELLED"));
    ics += IcsFoldLine("TRANSP:TRANSPARENT");
    ics += IcsFoldLine("END:VEVENT");
  }
  ics += IcsFoldLine("END:VCALENDAR");
  return ics;
}

std::string RenderBadge(const OverallStatus& status, std::string_view label) {
  std::string value, color;
  switch (status.indicator) {
    case model::Impact::kNone: value = "operational", color = "#15803d"; break;
    case model::Impact::kMinor: value = "degraded", color = "#a16207"; break;
    case model::Impact::kMajor: value = "partial outage", color = "#c2410c"; break;
    case model::Impact::kCritical: value = "major outage", color = "#b91c1c"; break;
    case model::Impact::kMaintenance: value = "maintenance", color = "#1d4ed8"; break;
  }
  // Verdana 11px averages about 6.5 px per character; shields.io pads each side by 6 px.
  auto width = [](std::string_view s) { return static_cast<int>(s.size() * 6.5 + 12); };
  int lw = width(label), vw = width(value), w = lw + vw;
  std::string l = XmlEscape(label), v = XmlEscape(value);
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(w) +
                    "\" height=\"20\" role=\"img\" aria-label=\"" + l + ": " + v + "\">";
  svg += "<title>" + l + ": " + v + "</title>";
  svg +=
      "<linearGradient id=\"s\" x2=\"0\" y2=\"100%\"><stop offset=\"0\" stop-color=\"#bbb\" stop-opacity=\".1\"/>"
      "<stop offset=\"1\" stop-opacity=\".1\"/></linearGradient>";
  svg +=
      "<clipPath id=\"r\"><rect width=\"" + std::to_string(w) + "\" height=\"20\" rx=\"3\" fill=\"#fff\"/></clipPath>";
  svg += "<g clip-path=\"url(#r)\"><rect width=\"" + std::to_string(lw) + "\" height=\"20\" fill=\"#555\"/>";
  svg += "<rect x=\"" + std::to_string(lw) + "\" width=\"" + std::to_string(vw) + "\" height=\"20\" fill=\"" + color +
         "\"/>";
  svg += "<rect width=\"" + std::to_string(w) + "\" height=\"20\" fill=\"url(#s)\"/></g>";
  svg +=
      "<g fill=\"#fff\" text-anchor=\"middle\" font-family=\"Verdana,Geneva,DejaVu Sans,sans-serif\" font-size=\"11\">";
  svg += "<text x=\"" + std::to_string(lw / 2) + "\" y=\"14\">" + l + "</text>";
  svg += "<text x=\"" + std::to_string(lw + vw / 2) + "\" y=\"14\">" + v + "</text></g></svg>\n";
  return svg;
}

}  // namespace herald::page
