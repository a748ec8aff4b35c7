# Shiny demo: a small but real app. Pick a distribution, a sample size and a
# number of bins; the histogram, the density curve and the summary follow.
# Only base R graphics, so the image needs nothing but the shiny package.
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
# SHINYPROXY_USERGROUPS (comma-separated, possibly upper-cased) and, on every
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
      tableOutput("accounts")
    )
  )
)

server <- function(input, output, session) {
  user <- current_user(session)
  output$who <- renderText({
    admin <- any(user$groups %in% admin_groups())
    paste0("Signed in as ", if (nzchar(user$name)) user$name else "an unknown user", if (admin) " (admin: all accounts)" else "")
  })
  output$accounts <- renderTable(visible_accounts(user), digits = 0)

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
