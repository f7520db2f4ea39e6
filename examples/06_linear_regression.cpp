// Linear regression: seeded xtensor data y = 2x + 1 + noise, zero-copy into torch, nn::Linear + SGD,
// predictions back into xtensor, a CSV of data and fit, and a PNG plot of them.
// expect: fitted weight: 1\.9[0-9]*|fitted weight: 2\.0[0-9]*
// expect: fitted bias: 0\.9[0-9]*|fitted bias: 1\.0[0-9]*
// expect: within 0\.1 of \(2, 1\): yes
// expect: csv: .*regression\.csv
// expect: plot: .*regression\.png
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include <torch/torch.h>
#include <xtensor-torch/xtensor-torch.hpp>
#include XTENSOR_TORCH_XTENSOR_HEADER(generators, xrandom)
#include XTENSOR_TORCH_XTENSOR_HEADER(containers, xtensor)

#ifndef XTENSOR_TORCH_PLOT_SCRIPT
#define XTENSOR_TORCH_PLOT_SCRIPT ""
#endif
#ifndef XTENSOR_TORCH_PYTHON
#define XTENSOR_TORCH_PYTHON "/usr/bin/python3"
#endif

int main(int argc, char** argv)
{
    const std::string out_dir = argc > 1 ? argv[1] : ".";

    // The data, made with xtensor: 100 points, x in [-1, 1], float32 like the model.
    xt::random::seed(42);
    xt::xtensor<float, 2> x = xt::random::rand<float>({100, 1}, -1.f, 1.f);
    xt::xtensor<float, 2> noise = xt::random::randn<float>({100, 1}, 0.f, 0.1f);
    xt::xtensor<float, 2> y = 2.f * x + 1.f + noise;

    // Into torch without a copy: the tensors borrow x's and y's memory.
    torch::Tensor inputs = xtorch::as_tensor(x);
    torch::Tensor targets = xtorch::as_tensor(y);

    torch::manual_seed(42);
    torch::nn::Linear model(1, 1);
    torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.1));
    for (int epoch = 1; epoch <= 100; ++epoch)
    {
        optimizer.zero_grad();
        torch::Tensor loss = torch::mse_loss(model->forward(inputs), targets);
        loss.backward();
        optimizer.step();
        if (epoch % 25 == 0)
        {
            std::cout << "epoch " << epoch << ": loss " << loss.item<float>() << "\n";
        }
    }

    // Predictions back into xtensor, without a copy: under NoGradGuard they need no grad.
    torch::NoGradGuard no_grad;
    torch::Tensor predicted = model->forward(inputs);
    xtorch::xtensor_view<float, 2> fit = xtorch::as_xtensor<float, 2>(predicted);

    const float weight = model->weight.item<float>();
    const float bias = model->bias.item<float>();
    std::cout << "fitted weight: " << weight << "\n";
    std::cout << "fitted bias: " << bias << "\n";
    const bool close = std::abs(weight - 2.f) < 0.1f && std::abs(bias - 1.f) < 0.1f;
    std::cout << "within 0.1 of (2, 1): " << (close ? "yes" : "no") << "\n";

    const std::string csv = out_dir + "/regression.csv";
    std::ofstream out(csv);
    out << "x,y,fit\n";
    for (std::size_t i = 0; i < x.shape()[0]; ++i)
    {
        out << x(i, 0) << "," << y(i, 0) << "," << fit(i, 0) << "\n";
    }
    out.close();
    std::cout << "csv: " << csv << "\n";

    const std::string script = XTENSOR_TORCH_PLOT_SCRIPT;
    if (!script.empty())
    {
        const std::string png = out_dir + "/regression.png";
        const std::string command =
            std::string(XTENSOR_TORCH_PYTHON) + " '" + script + "' '" + csv + "' '" + png + "'";
        if (std::system(command.c_str()) == 0)
        {
            std::cout << "plot: " << png << "\n";
        }
        else
        {
            std::cout << "plot: not written (" << command << " failed; it needs python3-matplotlib)\n";
        }
    }
    return close ? 0 : 1;
}
