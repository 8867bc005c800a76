#include "notify/templates.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "core/text.h"
#include "core/time.h"
#include "model/model.h"
#include "notify/composer.h"

namespace herald::notify {
namespace {

constexpr std::string_view kShipped[] = {"en", "de", "fr", "es"};

// Every wire name the composer looks up as "labels.{name}".
constexpr std::string_view kLabelNames[] = {
    "investigating", "identified", "monitoring", "resolved", "postmortem", "scheduled", "in_progress", "verifying",
    "completed", "operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance", "outage",
    "maintenance", "security", "policy", "product_update",
    // Labels of the facts chat cards and embeds show.
    "fact_status", "fact_affected", "fact_window", "fact_next_update"};

bool IsTemplateKey(const std::string& key) { return !key.starts_with("labels.") && !key.starts_with("format."); }

// Names of the variables and sections a template refers to ("{{#x}}", "{{^x}}", "{{/x}}",
// "{{x}}", "{{{x}}}", "{{&x}}"; comments excluded).
std::set<std::string> VariablesOf(const std::string& text) {
  static const std::regex tag(R"(\{\{\{?\s*([#^/&]?)\s*([A-Za-z0-9_.]+)\s*\}?\}\})");
  std::set<std::string> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), tag); it != std::sregex_iterator(); ++it)
    out.insert((*it)[2].str());
  return out;
}

std::set<std::string> VariablesOf(const std::map<std::string, std::string>& table) {
  std::set<std::string> out;
  for (const auto& [key, text] : table) {
    if (!IsTemplateKey(key)) continue;
    out.merge(VariablesOf(text));
  }
  return out;
}

const std::map<std::string, std::string>& Shipped(std::string_view lang) {
  const auto* table = TemplateSet::Defaults().Language(std::string(lang));
  if (table == nullptr) {
    ADD_FAILURE() << "no templates for " << lang;
    static const std::map<std::string, std::string> empty;
    return empty;
  }
  return *table;
}

// The variables Compose and ComposeSystemMessage give templates, built by the composer itself for
// a subscriber in `lang`: an incident update, a component change and the system-message extras.
TemplateVars FullVars(const std::string& lang) {
  const TimeMs t0 = *ParseIso8601("2026-03-05T13:30:00Z");
  model::Subscriber s;
  s.id = "sub_1";
  s.language = lang;
  s.time_zone = "Europe/Berlin";
  s.component_ids = {"cmp_api"};

  EventContext ctx;
  ctx.page.name = "Acme";
  ctx.page.time_zone = "UTC";
  ctx.page_url = "https://status.example.com/";
  model::Component api;
  api.id = "cmp_api";
  api.name = "API";
  model::Component web = api;
  web.id = "cmp_web";
  web.name = "Website";
  ctx.components = {{api.id, api}, {web.id, web}};
  model::Incident inc;
  inc.id = "inc_1";
  inc.name = "Sign-in fails for some customers";
  inc.impact = model::Impact::kMajor;
  inc.started_at = t0;
  inc.scheduled_for = t0 + 3600000;
  inc.scheduled_until = t0 + 7200000;
  model::AffectedComponent a;
  a.component_id = api.id;
  a.new_status = model::ComponentStatus::kPartialOutage;
  inc.components.push_back(a);
  a.component_id = web.id;
  a.new_status = model::ComponentStatus::kDegradedPerformance;
  inc.components.push_back(a);
  model::IncidentUpdate up;
  up.status = model::IncidentStatus::kInProgress;
  up.body = "We found the cause and are rolling out a fix.";
  up.display_at = t0;
  up.next_update_at = t0 + 1800000;
  ctx.incident = inc;
  ctx.update = up;
  TemplateVars vars = EventVars(ctx, s);

  EventContext cctx;
  cctx.page = ctx.page;
  cctx.page_url = ctx.page_url;
  cctx.component = api;
  cctx.component->status = model::ComponentStatus::kMajorOutage;
  cctx.old_status = model::ComponentStatus::kDegradedPerformance;
  for (auto& [k, v] : EventVars(cctx, s)) vars.emplace(k, v);

  vars["is_resolved"] = "1";  // every section on, so that no part is skipped
  vars["is_completed"] = "1";
  vars["manage_url"] = "https://status.example.com/manage/sub_1";
  vars["unsubscribe_url"] = "https://status.example.com/unsubscribe/sub_1";
  vars["confirm_url"] = "https://status.example.com/confirm/abc";
  vars["code"] = "123456";
  vars["address"] = "https://hooks.example.com/herald";
  vars["failing_since"] = vars["started_at"];
  vars["last_error"] = "HTTP 503";
  return vars;
}

TEST(TemplateDefaults, EveryShippedLanguageParsesAndHasEveryEnglishKey) {
  ASSERT_NE(TemplateSet::Defaults().Language("en"), nullptr);
  const auto& en = Shipped("en");
  for (const auto& event : kTemplateEvents) EXPECT_TRUE(en.contains(std::string(event) + ".subject")) << event;
  for (auto lang : kShipped) {
    SCOPED_TRACE(lang);
    ASSERT_NE(TemplateSet::Defaults().Language(std::string(lang)), nullptr);
    const auto& table = Shipped(lang);
    for (const auto& [key, _] : en) EXPECT_TRUE(table.contains(key)) << lang << " lacks " << key;
    // A key with a typo would silently never be used.
    for (const auto& [key, _] : table) {
      EXPECT_TRUE(en.contains(key) || (IsTemplateKey(key) && IsValidTemplateKey(std::string(lang) + "/" + key)))
          << lang << " has a key nothing looks up: " << key;
    }
  }
}

TEST(TemplateDefaults, EveryTemplateRendersWithTheComposersVariables) {
  for (auto lang : kShipped) {
    SCOPED_TRACE(lang);
    const TemplateVars all = FullVars(std::string(lang));
    const TemplateVars none = [&] {
      TemplateVars v = all;  // every flag and optional value off: the other branch of each section
      for (auto k : {"is_resolved", "is_completed", "is_in_progress", "has_affected", "your_components",
                     "next_update_at", "affected", "affected_detail"})
        v[k] = "";
      return v;
    }();
    for (const auto& [key, text] : Shipped(lang)) {
      if (!IsTemplateKey(key)) continue;
      for (const TemplateVars* vars : {&all, &none}) {
        auto out = RenderTemplate(text, *vars, key);
        ASSERT_TRUE(out.ok()) << key << ": " << out.error().message;
        EXPECT_FALSE(out->empty()) << key;
        EXPECT_EQ(out->find("{{"), std::string::npos) << key << ": " << *out;
      }
    }
  }
}

TEST(TemplateDefaults, UseOnlyVariablesEnglishUses) {
  const auto english = VariablesOf(Shipped("en"));
  // English itself uses only what the composer provides.
  const auto provided = FullVars("en");
  for (const auto& v : english) EXPECT_TRUE(provided.contains(v)) << "en uses unknown variable " << v;
  for (auto lang : kShipped) {
    for (const auto& v : VariablesOf(Shipped(lang)))
      EXPECT_TRUE(english.contains(v)) << lang << " uses {{" << v << "}}, which English does not";
  }
}

TEST(TemplateDefaults, GermanKeepsNounsCapitalised) {
  // *_lower lowercases the first letter; German labels for incident statuses and notice types are
  // nouns or start with one ("Ursache gefunden", "Störung").
  for (const auto& v : VariablesOf(Shipped("de"))) {
    EXPECT_NE(v, "status_lower");
    EXPECT_NE(v, "notice_type_lower");
    EXPECT_NE(v, "component_status_lower");
  }
}

TEST(TemplateDefaults, LabelsForEveryStatusAndNoticeType) {
  const auto& en = Shipped("en");
  for (auto lang : kShipped) {
    const auto& table = Shipped(lang);
    for (auto name : kLabelNames) {
      auto it = table.find("labels." + std::string(name));
      ASSERT_NE(it, table.end()) << lang << " lacks labels." << name;
      EXPECT_FALSE(it->second.empty()) << lang << " labels." << name;
    }
    EXPECT_TRUE(table.contains("format.datetime")) << lang;
  }
  // English matches the wording of the status page (model::Label).
  for (auto s :
       {model::IncidentStatus::kInvestigating, model::IncidentStatus::kIdentified, model::IncidentStatus::kMonitoring,
        model::IncidentStatus::kResolved, model::IncidentStatus::kPostmortem, model::IncidentStatus::kScheduled,
        model::IncidentStatus::kInProgress, model::IncidentStatus::kVerifying, model::IncidentStatus::kCompleted})
    EXPECT_EQ(en.at("labels." + std::string(model::ToString(s))), model::Label(s));
  for (auto s : {model::ComponentStatus::kOperational, model::ComponentStatus::kDegradedPerformance,
                 model::ComponentStatus::kPartialOutage, model::ComponentStatus::kMajorOutage,
                 model::ComponentStatus::kUnderMaintenance})
    EXPECT_EQ(en.at("labels." + std::string(model::ToString(s))), model::Label(s));
}

TEST(TemplateDefaults, ComposerUsesTheLanguagesLabelsAndDates) {
  // 13:30 UTC is 14:30 in Berlin (CET) on 5 March 2026.
  const auto de = FullVars("de");
  EXPECT_EQ(de.at("status"), "Wird durchgeführt");
  EXPECT_EQ(de.at("component_status"), "Schwerer Ausfall");
  EXPECT_EQ(de.at("updated_at"), "05.03.2026, 14:30 CET");
  EXPECT_EQ(de.at("affected_detail"), "API (teilweiser Ausfall); Website (eingeschränkte Leistung)");
  const auto fr = FullVars("fr");
  EXPECT_EQ(fr.at("status_lower"), "en cours");
  EXPECT_EQ(fr.at("updated_at"), "05/03/2026 à 14:30 CET");
  const auto es = FullVars("es");
  EXPECT_EQ(es.at("component_status"), "Interrupción grave");
  EXPECT_EQ(es.at("updated_at"), "05/03/2026 14:30 CET");
  EXPECT_EQ(FullVars("en").at("updated_at"), "Thu 05 Mar 2026, 14:30 CET");
  // A language without templates gets English.
  EXPECT_EQ(FullVars("xx").at("status"), "In progress");
}

TEST(TemplateResolve, MostSpecificKeyWins) {
  TemplateSet set;
  ASSERT_TRUE(set.AddLanguage("en", R"(
[incident]
subject = "plain"
email.subject = "channel"
technical.subject = "detail"
email.technical.subject = "channel+detail"
)")
                  .ok());
  const TemplateOverrides none;
  auto pick = [&](std::string_view channel, std::string_view detail) {
    auto c = ResolveTemplate(set, none, "en", "incident", channel, detail, "subject");
    return c ? c->text : std::string("(none)");
  };
  EXPECT_EQ(pick("email", "technical"), "channel+detail");
  EXPECT_EQ(pick("email", "brief"), "channel");
  EXPECT_EQ(pick("sms", "technical"), "detail");
  EXPECT_EQ(pick("sms", "standard"), "plain");
  EXPECT_EQ(pick("", ""), "plain");
  auto c = ResolveTemplate(set, none, "en", "incident", "email", "technical", "subject");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->key, "en/incident.email.technical.subject");
  EXPECT_FALSE(c->overridden);
  // No template for the part at all.
  EXPECT_FALSE(ResolveTemplate(set, none, "en", "incident", "email", "technical", "short"));
  EXPECT_FALSE(ResolveTemplate(set, none, "en", "maintenance", "", "", "subject"));
}

TEST(TemplateResolve, OverridesBeforeDefaultsAndLanguageBeforeEnglish) {
  TemplateSet set;
  ASSERT_TRUE(set.AddLanguage("en", "[incident]\nsubject = \"en plain\"\nemail.subject = \"en email\"\n").ok());
  ASSERT_TRUE(set.AddLanguage("de", "[incident]\nsubject = \"de plain\"\n").ok());
  TemplateOverrides overrides{{"en/incident.subject", "en override"}};

  // A page's override beats the shipped default, even a more specific one.
  auto c = ResolveTemplate(set, overrides, "en", "incident", "email", "standard", "subject");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->text, "en override");
  EXPECT_EQ(c->key, "en/incident.subject");
  EXPECT_TRUE(c->overridden);
  // Among overrides, the most specific one.
  overrides["en/incident.email.subject"] = "en email override";
  EXPECT_EQ(ResolveTemplate(set, overrides, "en", "incident", "email", "", "subject")->text, "en email override");
  EXPECT_EQ(ResolveTemplate(set, overrides, "en", "incident", "sms", "", "subject")->text, "en override");

  // The subscriber's language beats English, overridden or more specific as English may be.
  c = ResolveTemplate(set, overrides, "de", "incident", "email", "", "subject");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->text, "de plain");
  EXPECT_EQ(c->key, "de/incident.subject");
  overrides["de/incident.subject"] = "de override";
  EXPECT_EQ(ResolveTemplate(set, overrides, "de", "incident", "email", "", "subject")->text, "de override");

  // What the language lacks comes from English; an unknown language gets English.
  EXPECT_FALSE(ResolveTemplate(set, {}, "de", "incident", "", "", "text"));
  ASSERT_TRUE(set.AddLanguage("en", "[incident]\ntext = \"en text\"\n").ok());
  EXPECT_EQ(ResolveTemplate(set, {}, "de", "incident", "", "", "text")->key, "en/incident.text");
  EXPECT_EQ(ResolveTemplate(set, overrides, "xx", "incident", "sms", "", "subject")->text, "en override");
}

TEST(TemplateResolve, ShippedDefaultsPerLanguage) {
  const auto& defaults = TemplateSet::Defaults();
  for (auto lang : kShipped) {
    auto c = ResolveTemplate(defaults, {}, std::string(lang), "incident", "sms", "technical", "text");
    ASSERT_TRUE(c) << lang;
    EXPECT_EQ(c->key, std::string(lang) + "/incident.technical.text");
    c = ResolveTemplate(defaults, {}, std::string(lang), "incident", "email", "brief", "short");
    ASSERT_TRUE(c) << lang;
    EXPECT_EQ(c->key, std::string(lang) + "/incident.short");
  }
}

TEST(TemplateKey, AcceptsWhatCanBeOverridden) {
  for (auto key : {"en/incident.subject", "de/incident.email.text", "fr/incident.technical.text",
                   "es/incident.email.technical.text", "en/maintenance.sms.short", "en/notice.webpush.brief.short",
                   "en/component.mattermost.text", "en/confirm.sms.short", "en/disabled.text", "pt-br/test.subject"})
    EXPECT_TRUE(IsValidTemplateKey(key)) << key;
}

TEST(TemplateKey, RefusesTheRest) {
  for (auto key :
       {"", "incident.subject", "/incident.subject", "en/", "en/incident", "EN/incident.subject",
        "toolonglang/incident.subject", "en/outage.subject", "en/incident.body", "en/incident.fax.text",
        "en/incident.technical.email.text", "en/incident.email.sms.text", "en/incident.brief.technical.text",
        "en/incident.email.technical.brief.text", "en/labels.resolved", "en/format.datetime", "en/incident..subject"})
    EXPECT_FALSE(IsValidTemplateKey(key)) << key;
}

// Regression (defects issue, item 20): a default template says only what the update and the
// incident's fields say. Herald's own sentences ("nothing you saved is lost", "trying again later
// should work", "you don't need to do anything") were added to every message, true or not.
// Every default template is rendered with each variable replaced by a marker, in every
// combination of flags and optional values; once the markers are out, each sentence left must be
// one of the structural ones below: labels and connecting words around the inputs, and Herald's
// statements about its own messages (the confirmation link). A new sentence in a default template
// fails here until someone has checked it claims nothing the responder did not write.
const std::map<std::string_view, std::set<std::string>>& StructuralSentences() {
  static const std::map<std::string_view, std::set<std::string>> kSentences = {
      {"en",
       {
           "- Components: none listed",
           "- Components: •",
           "- Incident ID: •",
           "- Next update by: •",
           "- Started: •",
           "- This update: •",
           "Affected: •.",
           "Completed: •",
           "Confirm your subscription to •",
           "Current status",
           "Deliveries to • have failed since • (last error: •), so we stopped sending them.",
           "Fix the endpoint, then subscribe it again at •.",
           "If it wasn't you, ignore this message: we won't write again.",
           "Maintenance under way: •",
           "Maintenance •: •, • to •.",
           "Next update by •.",
           "Of the affected components, you follow •.",
           "Posted •.",
           "Resolved: •",
           "Scheduled maintenance: •",
           "Someone, hopefully you, asked to receive status updates from • at this address.",
           "The link works for 24 hours.",
           "This is a test message: status updates from • will arrive here.",
           "We stopped sending • updates to your endpoint",
           "When: • to •.",
           "Yes, send me updates",
           "You are subscribed to •",
           "•",
           "• is now • (was •).",
           "• maintenance: •, • to •",
           "• •: •",
           "•: one click confirms your subscription.",
           "•: status updates will arrive here.",
           "•: your code is •",
           "•: •",
           "•: • (impact: •)",
           "•: • - •",
           "•: • is •",
           "•: •.",
       }},
      {"de",
       {
           "- Beginn: •",
           "- Diese Meldung: •",
           "- Komponenten: keine angegeben",
           "- Komponenten: •",
           "- Nächste Meldung spätestens: •",
           "- Störungs-ID: •",
           "Aktueller Status",
           "Behoben: •",
           "Betroffen: •.",
           "Bitte beheben Sie das Problem und abonnieren Sie die Adresse danach unter • erneut.",
           "Bitte bestätigen Sie Ihr Abonnement für •",
           "Davon betroffen ist, was Sie abonniert haben: •.",
           "Der Link ist 24 Stunden gültig.",
           "Deshalb haben wir sie eingestellt.",
           "Die Zustellung an • schlägt seit • fehl (letzter Fehler: •).",
           "Dies ist eine Testnachricht: Statusmeldungen von • kommen ab jetzt hier an.",
           "Falls Sie das nicht waren, ignorieren Sie diese Nachricht einfach: Dann schreiben wir Ihnen nicht wieder.",
           "Geplante Wartung: •",
           "Ihr Abonnement für • ist eingerichtet",
           "Ja, ich möchte die Meldungen erhalten",
           "Jemand – hoffentlich Sie – möchte an diese Adresse Statusmeldungen von • erhalten.",
           "Neuer Status von •: • (vorher: •).",
           "Nächste Meldung spätestens am •.",
           "Veröffentlicht am •.",
           "Wartung abgeschlossen: •",
           "Wartung läuft: •",
           "Wartung: • (•), von • bis •.",
           "Wir melden uns spätestens am • wieder.",
           "Wir senden keine Meldungen von • mehr an Ihre Adresse",
           "Zeitraum: von • bis •.",
           "•",
           "• - Wartung: •, von • bis •",
           "• - •: •",
           "• – aktueller Stand: •.",
           "•: Ein Klick bestätigt Ihr Abonnement.",
           "•: Ihr Code lautet •",
           "•: Statusmeldungen kommen ab jetzt hier an.",
           "•: •",
           "•: • (Schweregrad: •)",
           "•: • - •",
           "•: •.",
       }},
      {"fr",
       {
           "- Ce point : •",
           "- Composants : aucun indiqué",
           "- Composants : •",
           "- Début : •",
           "- Identifiant de l'incident : •",
           "- Prochain point au plus tard : •",
           "Ce lien est valable 24 heures.",
           "Ceci est un message de test : les informations publiées par • sur l'état de ses services arriveront ici.",
           "Cela touche des services que vous suivez : •.",
           "Confirmez votre abonnement à •",
           "Corrigez le problème, puis réabonnez cette adresse sur •.",
           "Les envois vers • échouent depuis le • (dernière erreur : •) ; nous les avons donc arrêtés.",
           "Maintenance (•) : •, du • au •.",
           "Maintenance en cours : •",
           "Maintenance programmée : •",
           "Maintenance terminée : •",
           "Nous n'envoyons plus à votre adresse de réception les informations publiées par •",
           "Oui, je veux recevoir ces informations",
           "Prochain point au plus tard le •.",
           "Publié le •.",
           "Quand : du • au •.",
           // NOLINTNEXTLINE(bugprone-suspicious-missing-comma): one sentence, split for the line length
           "Quelqu'un, sans doute vous, a demandé à recevoir à cette adresse les informations publiées par • sur "
           "l'état de ses services.",
           "Résolu : •",
           "Services concernés : •.",
           "Si ce n'était pas vous, ignorez simplement ce message : nous ne vous écrirons plus.",
           "Votre abonnement à • est actif",
           "État actuel",
           "•",
           "• - maintenance : •, du • au •",
           "• - • : •",
           "• : les informations sur l'état des services arriveront ici.",
           "• : un clic confirme votre abonnement.",
           "• : votre code est •",
           "• : •",
           "• : • (impact : •)",
           "• : • - •",
           "• : •.",
           "• – nouvel état : • (auparavant : •).",
           "• – statut : •.",
       }},
      {"es",
       {
           "- Componentes: ninguno indicado",
           "- Componentes: •",
           "- Esta actualización: •",
           "- ID del incidente: •",
           "- Inicio: •",
           "- Próxima actualización a más tardar: •",
           "Alguien, esperamos que usted, ha pedido recibir en esta dirección las actualizaciones de estado de •.",
           "Confirme su suscripción a •",
           "Corrija el problema y, después, vuelva a suscribir esa dirección en •.",
           "Cuándo: del • al •.",
           "El enlace es válido durante 24 horas.",
           "Estado actual",
           "Este es un mensaje de prueba: las actualizaciones de estado de • llegarán aquí.",
           "Esto incluye servicios que usted sigue: •.",
           "Hemos dejado de enviar las actualizaciones de • a su dirección de destino",
           "Le daremos más información a más tardar el •.",
           "Los envíos a • fallan desde el • (último error: •), así que los hemos detenido.",
           "Mantenimiento (•): •, del • al •.",
           "Mantenimiento completado: •",
           "Mantenimiento en curso: •",
           "Mantenimiento programado: •",
           "Nuevo estado de •: • (antes: •).",
           "Próxima actualización a más tardar el •.",
           "Publicado el •.",
           "Resuelto: •",
           "Servicios afectados: •.",
           "Si no ha sido usted, ignore este mensaje: no volveremos a escribirle.",
           "Su suscripción a • está activa",
           "Sí, quiero recibir actualizaciones",
           "•",
           "• - mantenimiento: •, del • al •",
           "• - •: •",
           "• – estado actual: •.",
           "•: las actualizaciones de estado llegarán aquí.",
           "•: su código es •",
           "•: un clic confirma su suscripción.",
           "•: •",
           "•: • (impacto: •)",
           "•: • - •",
           "•: •.",
       }},
  };
  return kSentences;
}

// The sentences of `text` once every marker (\x7f) is a bullet, Markdown emphasis and links are
// plain, and sentences end at ". ", "! ", "? " or a line break.
std::set<std::string> SentencesOf(std::string text) {
  static const std::regex kMarkers("\x7f+"), kStrong(R"(\*\*)"), kLink(R"(\[([^\]]*)\]\(•\))");
  text = std::regex_replace(text, kMarkers, "•");
  text = std::regex_replace(text, kStrong, "");
  text = std::regex_replace(text, kLink, "$1");
  std::set<std::string> out;
  std::string sentence;
  auto flush = [&] {
    std::string t(Trim(sentence));
    if (!t.empty()) out.insert(t);
    sentence.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (ch == '\n') {
      flush();
    } else if ((ch == '.' || ch == '!' || ch == '?') &&
               (i + 1 == text.size() || text[i + 1] == ' ' || text[i + 1] == '\n')) {
      sentence += ch;
      flush();
    } else {
      sentence += ch;
    }
  }
  flush();
  return out;
}

TEST(TemplateDefaults, SayNothingTheirInputsDoNotSay) {
  // Flags are shown as sections only; optional values are either given or empty.
  const std::vector<std::string> kFlags = {"is_resolved", "is_completed", "is_in_progress", "has_affected"};
  const std::vector<std::string> kOptional = {"your_components", "next_update_at", "body"};
  for (auto lang : kShipped) {
    SCOPED_TRACE(lang);
    const auto& allowed = StructuralSentences().at(lang);
    std::set<std::string> unexpected;
    TemplateVars markers;
    for (const auto& [name, _] : FullVars(std::string(lang))) markers[name] = "\x7f";
    for (const auto& [key, text] : Shipped(lang)) {
      if (!IsTemplateKey(key)) continue;
      for (unsigned mask = 0; mask < (1u << (kFlags.size() + kOptional.size())); ++mask) {
        TemplateVars vars = markers;
        for (size_t i = 0; i < kFlags.size(); ++i) vars[kFlags[i]] = (mask >> i) & 1 ? "1" : "";
        for (size_t i = 0; i < kOptional.size(); ++i)
          vars[kOptional[i]] = (mask >> (kFlags.size() + i)) & 1 ? "\x7f" : "";
        if (vars["has_affected"].empty()) vars["affected"] = vars["affected_detail"] = "";
        auto out = RenderTemplate(text, vars, key);
        ASSERT_TRUE(out.ok()) << key;
        for (const auto& sentence : SentencesOf(*out))
          if (!allowed.contains(sentence)) unexpected.insert(key + ": " + sentence);
      }
    }
    for (const auto& u : unexpected) ADD_FAILURE() << "not a structural sentence: " << u;
  }
}

// The same, as phrases: claims about data, workarounds or what customers need to do, in every
// shipped language, appear only where staff write them (the update's body).
TEST(TemplateDefaults, NoClaimStaffDidNotWrite) {
  const std::map<std::string_view, std::vector<std::string>> kClaims = {
      {"en",
       {"lost", "saved", "try again", "trying again", "should work", "need to do", "don't need", "fixed",
        "as soon as we know", "plan around", "slow or unavailable", "workaround"}},
      {"de",
       {"verloren", "gespeichert", "noch einmal", "nichts weiter tun", "müssen nichts", "sobald wir mehr wissen",
        "planen Sie", "langsamer"}},
      {"fr",
       {"perdu", "enregistrées", "réessayez", "devrait fonctionner", "rien à faire", "dès que nous en saurons",
        "lents ou indisponibles"}},
      {"es",
       {"perder", "guardado", "vuelva a intentarlo", "no necesita", "en cuanto sepamos",
        "lentos o no estar disponibles"}},
  };
  for (auto lang : kShipped) {
    for (const auto& [key, text] : Shipped(lang)) {
      if (!IsTemplateKey(key)) continue;
      std::string lower = text;
      for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      for (const auto& claim : kClaims.at(lang)) {
        std::string c = claim;
        for (auto& ch : c) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        EXPECT_EQ(lower.find(c), std::string::npos) << lang << "/" << key << " claims \"" << claim << "\"";
      }
    }
  }
}

// Regression (defects issue, item 16): the email confirmation's preview line is its "short"
// text; it was the SMS one ("your code is "), with no code in an email.
TEST(TemplateDefaults, TheConfirmationEmailDoesNotAskForACode) {
  model::Page page;
  page.id = "p1";
  page.name = "Acme";
  for (auto lang : kShipped) {
    SCOPED_TRACE(lang);
    model::Subscriber s;
    s.id = "sub_1";
    s.language = std::string(lang);
    s.channel = model::ChannelKind::kEmail;
    auto email = ComposeSystemMessage("confirm", page, "https://status.example.com/", s, {},
                                      {{"confirm_url", "https://status.example.com/confirm?token=t"}}, "m1", 0);
    ASSERT_TRUE(email.ok());
    EXPECT_FALSE(email->short_text.empty());
    EXPECT_NE(email->short_text.find("Acme"), std::string::npos) << email->short_text;
    EXPECT_TRUE(email->short_text.back() != ' ' && email->short_text.back() != ':') << email->short_text;
    const auto& table = Shipped(lang);
    // The SMS wording, with its code, stays with SMS.
    ASSERT_TRUE(table.contains("confirm.sms.short"));
    const auto sms_wording = RenderTemplate(table.at("confirm.sms.short"), {{"page_name", "Acme"}}, "t");
    ASSERT_TRUE(sms_wording.ok());
    EXPECT_NE(email->short_text, std::string(Trim(*sms_wording)));
    s.channel = model::ChannelKind::kSms;
    auto sms =
        ComposeSystemMessage("confirm", page, "https://status.example.com/", s, {}, {{"code", "482913"}}, "m2", 0);
    ASSERT_TRUE(sms.ok());
    EXPECT_NE(sms->short_text.find("482913"), std::string::npos) << sms->short_text;
  }
}

// Regression (defects issue, item 16): a partial ({{>name}}) rendered nothing; templates staff
// write with one are refused, naming the field, in every syntax the parser accepts.
TEST(TemplateValidate, RefusesPartials) {
  for (const char* text : {"{{>footer}}", "Hello {{ > footer }}", "{{#is_resolved}}{{>footer}}{{/is_resolved}}",
                           "{{=<% %>=}}<%> footer %>", "{{=<% %>=}}<%={{ }}=%>{{>footer}}"}) {
    auto st = ValidateTemplate(text, "body");
    ASSERT_FALSE(st.ok()) << text;
    EXPECT_EQ(st.error().field, "body");
    EXPECT_NE(st.error().message.find("partial"), std::string::npos);
  }
  for (const char* text : {"a > b", "{{{body}}}", "{{! > a comment }}", "{{=<% %>=}}{{>not a tag}} <%page_name%>",
                           "{{#has_affected}}Affected: {{affected}}{{/has_affected}}", "{{&body}}"})
    EXPECT_TRUE(ValidateTemplate(text, "body").ok()) << text;
  EXPECT_EQ(ValidateTemplate("{{#open", "body").error().field, "body");
}

}  // namespace
}  // namespace herald::notify
