#include "monitor/runtime.h"

namespace herald::monitor {

MonitorRuntime::~MonitorRuntime() { Stop(); }

void MonitorRuntime::Start() {
  alerter->Start();
  engine->Start();
}

void MonitorRuntime::Stop() {
  if (engine) engine->Stop();
  if (alerter) alerter->Stop();
  if (sockets) sockets->Shutdown();
  if (http) http->Shutdown();
}

Status MonitorRuntime::Validate(const model::Monitor& monitor) const {
  const Probe* probe = probes->Find(monitor.kind);
  if (!probe) return Error::Invalid("kind", "this server cannot run monitors of this kind");
  return probe->Validate(monitor.spec, "target");
}

std::unique_ptr<MonitorRuntime> MakeMonitorRuntime(store::Store& store, const Clock& clock,
                                                   PublishDraftFn publish_draft, std::function<void()> on_change,
                                                   const MonitorRuntimeOptions& options) {
  auto rt = std::make_unique<MonitorRuntime>();
  net::CurlEngine::Options ho;
  ho.thread_name = "herald-mon-http";
  rt->http = std::make_unique<net::CurlEngine>(ho);
  net::SocketEngine::Options so;
  so.ca_file = options.ca_file;
  rt->sockets = std::make_unique<net::SocketEngine>(so);
  rt->probes = std::make_unique<Probes>(MakeProbes(ProbeDeps{*rt->http, *rt->sockets, clock}));
  StaffAlerterOptions ao;
  ao.public_url = options.public_url;
  rt->alerter = std::make_unique<StaffAlerter>(store, clock, ao);
  Probes* probes = rt->probes.get();
  EngineDeps deps{store,
                  clock,
                  [probes](model::MonitorKind kind) { return probes->Find(kind); },
                  std::move(publish_draft),
                  rt->alerter.get(),
                  std::move(on_change)};
  rt->engine = std::make_unique<MonitorEngine>(std::move(deps));
  return rt;
}

}  // namespace herald::monitor
