# Shiny demo: a small but real app. Pick a distribution, a sample size and a
# number of bins; the histogram, the density curve and the summary follow.
# It also shows what real apps need from their platform: who the user is (their
# accounts only), a setting (CURRENCY), a secret (NOTES_SIGNING_KEY) and storage
# that outlives the session (a note each user saves).
# Only base R graphics; besides shiny (and its jsonlite) it needs digest, for the HMAC.
library(shiny)

distributions <- c(
  "Normal" = "norm",
  "Log-normal" = "lnorm",
  "Exponential" = "exp",
  "Uniform" = "unif"
)

draw <- function(kind, n) {
  switch(kind,
    norm = rnorm(n),
    lnorm = rlnorm(n),
    exp = rexp(n),
    unif = runif(n)
  )
}

# Row-level authorisation ("sales reps see only their accounts, admins see all").
# ShinyProxy passes the signed-in user to the container as SHINYPROXY_USERNAME and
# SHINYPROXY_USERGROUPS (comma-separated, upper-cased by ShinyProxy) and, on every
# request, as the X-SP-UserId / X-SP-UserGroups headers: the only source when
# containers are started ahead of time (`seats`). In a real app, filter in the query.
accounts <- data.frame(
  account = c("Acme Corp", "Globex", "Initech", "Umbrella", "Hooli"),
  region = c("North", "North", "South", "East", "West"),
  owner = c("ana@example.org", "ana@example.org", "bo@example.org", "bo@example.org", "cy@example.org"),
  revenue = c(120000, 87500, 64000, 210000, 45250)
)

parse_groups <- function(value) {
  groups <- tolower(trimws(strsplit(if (is.null(value)) "" else value, ",", fixed = TRUE)[[1]]))
  unique(groups[groups != ""])
}

admin_groups <- function() {
  configured <- parse_groups(Sys.getenv("ADMIN_GROUPS"))
  if (length(configured) > 0) configured else "admin_users"
}

# The environment wins; the request headers are the fallback.
current_user <- function(session) {
  name <- trimws(Sys.getenv("SHINYPROXY_USERNAME"))
  if (nzchar(name)) return(list(name = tolower(name), groups = parse_groups(Sys.getenv("SHINYPROXY_USERGROUPS"))))
  req <- session$request
  list(name = tolower(trimws(if (is.null(req$HTTP_X_SP_USERID)) "" else req$HTTP_X_SP_USERID)),
       groups = parse_groups(req$HTTP_X_SP_USERGROUPS))
}

# Settings, secrets and storage all arrive as environment variables (shinykit.yaml:
# apps[].env becomes ShinyProxy's container-env, apps[].secrets a container-env-file
# only the container runtime reads, apps[].storage a directory mounted into the container).
setting <- function(name, default) {
  value <- trimws(Sys.getenv(name))
  if (nzchar(value)) value else default
}

# A plain setting: the currency the revenue figures are in.
currency <- function() setting("CURRENCY", "USD")

# Where saved notes live: the storage directory the kit mounts (apps[].storage sets
# SHINYKIT_STORAGE_DIR), or /home/app/data, which the image creates but nothing keeps.
storage_dir <- function() setting("SHINYKIT_STORAGE_DIR", "/home/app/data")
not_kept <- function() {
  if (nzchar(trimws(Sys.getenv("SHINYKIT_STORAGE_DIR")))) "" else
    " Not kept when this container stops: the app has no storage (SHINYKIT_STORAGE_DIR is not set)."
}

# The secret signs each saved note, so a note edited outside the app (or copied into
# another user's file) is refused. It is read when needed and never rendered or logged.
note_signature <- function(user, note, key) {
  digest::hmac(key, charToRaw(enc2utf8(paste0(user, "\n", note))), "sha256")
}

# One file per user, named by the hex of the user name: safe on any filesystem and
# distinct per user even when the storage is shared by every user of the app.
note_path <- function(user, dir = storage_dir()) {
  file.path(dir, "notes", paste0(paste(as.character(charToRaw(enc2utf8(user))), collapse = ""), ".json"))
}

# Why notes cannot be saved for this user right now, or NULL when they can.
notes_unavailable <- function(user) {
  if (!nzchar(user$name)) return("Notes are off: nobody is signed in.")
  if (!nzchar(Sys.getenv("NOTES_SIGNING_KEY"))) return("Notes are off: the NOTES_SIGNING_KEY secret is not set.")
  if (!dir.exists(storage_dir())) return(paste("Notes are off: no storage at", storage_dir()))
  NULL
}

save_note <- function(user, note) {
  path <- note_path(user$name)
  dir.create(dirname(path), showWarnings = FALSE, recursive = TRUE, mode = "0700")
  record <- list(user = user$name, note = note, saved_at = format(Sys.time(), "%Y-%m-%d %H:%M:%S %Z"),
                 signature = note_signature(user$name, note, Sys.getenv("NOTES_SIGNING_KEY")))
  # Write then rename: a crash mid-write never leaves half a note.
  tmp <- paste0(path, ".tmp")
  writeLines(jsonlite::toJSON(record, auto_unbox = TRUE), tmp, useBytes = TRUE)
  file.rename(tmp, path)
  record
}

# list(note, status): the user's saved note when its signature checks out.
load_note <- function(user) {
  path <- note_path(user$name)
  if (!file.exists(path)) return(list(note = "", status = "No saved note yet."))
  record <- tryCatch(jsonlite::fromJSON(path), error = function(e) NULL)
  expected <- if (is.null(record$note)) "" else note_signature(user$name, record$note, Sys.getenv("NOTES_SIGNING_KEY"))
  if (is.null(record$signature) || !identical(record$signature, expected) || !identical(record$user, user$name)) {
    return(list(note = "", status = "A saved note was found but its signature does not match (changed outside the app, or the signing key changed): not loaded."))
  }
  list(note = record$note, status = paste0("Note saved ", record$saved_at, " loaded (signature verified).", not_kept()))
}

# Every account for an admin, otherwise only the user's own; nobody sees nothing.
visible_accounts <- function(user, data = accounts) {
  if (any(user$groups %in% admin_groups())) return(data)
  if (!nzchar(user$name)) return(data[0, ])
  data[tolower(data$owner) == user$name, ]
}

ui <- fluidPage(
  titlePanel("Shiny demo: sampling distributions"),
  sidebarLayout(
    sidebarPanel(
      selectInput("dist", "Distribution", choices = distributions),
      sliderInput("n", "Sample size", min = 10, max = 5000, value = 500, step = 10),
      sliderInput("bins", "Bins", min = 5, max = 100, value = 30),
      checkboxInput("density", "Overlay a density estimate", value = TRUE),
      numericInput("seed", "Random seed", value = 42, min = 1, step = 1)
    ),
    mainPanel(
      plotOutput("histogram", height = "420px"),
      tableOutput("summary"),
      h3("Your accounts"),
      textOutput("who"),
      tableOutput("accounts"),
      h3("Your note"),
      textAreaInput("note", "Kept for you between sessions", rows = 3, width = "100%"),
      actionButton("save_note", "Save note"),
      textOutput("note_status")
    )
  )
)

server <- function(input, output, session) {
  user <- current_user(session)
  output$who <- renderText({
    admin <- any(user$groups %in% admin_groups())
    paste0("Signed in as ", if (nzchar(user$name)) user$name else "an unknown user", if (admin) " (admin: all accounts)" else "")
  })
  output$accounts <- renderTable({
    rows <- visible_accounts(user)
    names(rows)[names(rows) == "revenue"] <- sprintf("revenue (%s)", currency())
    rows
  }, digits = 0)

  unavailable <- notes_unavailable(user)
  note_status <- reactiveVal(unavailable)
  if (is.null(unavailable)) {
    saved <- load_note(user)
    updateTextAreaInput(session, "note", value = saved$note)
    note_status(saved$status)
  }
  observeEvent(input$save_note, {
    if (!is.null(unavailable)) return()
    record <- save_note(user, input$note)
    note_status(paste0("Note saved ", record$saved_at, " (signed).", not_kept()))
  })
  output$note_status <- renderText(note_status())

  sample_data <- reactive({
    req(input$n, input$seed)
    set.seed(input$seed)
    draw(input$dist, input$n)
  })

  output$histogram <- renderPlot({
    x <- sample_data()
    label <- names(distributions)[distributions == input$dist]
    hist(x, breaks = input$bins, freq = FALSE, col = "#4e79a7", border = "white",
         main = sprintf("%s sample, n = %d", label, length(x)), xlab = "value")
    if (isTRUE(input$density)) lines(density(x), lwd = 2, col = "#e15759")
  })

  output$summary <- renderTable({
    x <- sample_data()
    data.frame(
      statistic = c("mean", "sd", "median", "min", "max"),
      value = c(mean(x), sd(x), median(x), min(x), max(x))
    )
  }, digits = 3)
}

shinyApp(ui, server)
