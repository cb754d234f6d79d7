module unigornel/goroute

go 1.19
