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
      tableOutput("summary")
    )
  )
)

server <- function(input, output, session) {
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
