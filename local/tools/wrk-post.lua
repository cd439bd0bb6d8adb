-- wrk script: POST the same JSON body again and again (the file named by PKI_WRK_BODY), with an API key when
-- PKI_WRK_API_KEY is set. Used by local/bench to load our issuance endpoint and cfssl's /sign alike.
local file = assert(io.open(os.getenv("PKI_WRK_BODY"), "rb"))
wrk.body = file:read("*a")
file:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local key = os.getenv("PKI_WRK_API_KEY")
if key and key ~= "" then
  wrk.headers["X-API-Key"] = key
end
